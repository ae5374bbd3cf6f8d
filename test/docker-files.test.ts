/**
 * The container files (Dockerfile, compose.yaml, .dockerignore), checked without Docker: images
 * cannot be pulled here, so this reads the files and checks what would break a build or a start —
 * a COPY of a missing or ignored file, a runtime import of a devDependency (the image has
 * `npm ci --omit=dev`), services that do not find each other — and runs the health check commands
 * against a real server.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startApp, type TestApp } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

// ---------------------------------------------------------------- Dockerfile

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  name: string | null;
  base: string;
  instructions: Instruction[];
}

/** Instructions by stage (continuation lines joined, comments dropped). Enough for our own Dockerfile. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++i]!.trim();
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot read "${line}"`);
    const op = m[1]!.toUpperCase();
    const rest = m[2]!.trim();
    if (op === 'ARG' && stages.length === 0) {
      const [k, v = ''] = rest.split('=');
      args.set(k!, v);
    } else if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)!;
      const base = f[1]!.replace(/^\$\{?(\w+)\}?$/, (_, k: string) => args.get(k) ?? '');
      stages.push({ name: f[2] ?? null, base, instructions: [] });
    } else {
      if (!stages.length) throw new Error(`Dockerfile line ${start + 1}: ${op} before FROM`);
      stages.at(-1)!.instructions.push({ op, args: rest, line: start + 1 });
    }
  }
  return { args, stages };
}

/** COPY/ADD without --from: [sources...] (the last word is the destination). */
function copySources(ins: Instruction): string[] | null {
  if (ins.op !== 'COPY' && ins.op !== 'ADD') return null;
  const words = ins.args.split(/\s+/);
  if (words.some((w) => w.startsWith('--from='))) return null;
  const paths = words.filter((w) => !w.startsWith('--'));
  return paths.slice(0, -1);
}

/** Exec-form CMD/HEALTHCHECK CMD as an argv. */
function execForm(json: string): string[] {
  const argv = JSON.parse(json) as unknown;
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) throw new Error(`not an exec form: ${json}`);
  return argv;
}

/** .dockerignore patterns (Go filepath.Match on the context-relative path, or on one of its parent directories). */
function ignoredBy(patterns: string[], file: string): string | null {
  for (const pattern of patterns) {
    const re = new RegExp(
      '^' +
        pattern
          .replace(/^\/+|\/+$/g, '')
          .split(/(\*\*|\*|\?)/)
          .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
          .join('') +
        '$',
    );
    const parts = file.split('/');
    for (let n = 1; n <= parts.length; n++) if (re.test(parts.slice(0, n).join('/'))) return pattern;
  }
  return null;
}

const dockerfile = parseDockerfile(read('Dockerfile'));
const runtime = dockerfile.stages.at(-1)!;
const dockerignore = read('.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const ofRuntime = (op: string) => runtime.instructions.filter((i) => i.op === op);

// ---------------------------------------------------------------- compose.yaml

/** ${VAR:-default} / ${VAR} as Compose reads them, with no variables set. */
const interpolate = (value: string) => value.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_, _name: string, def?: string) => def ?? '');

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: (string | { source?: string; target?: string })[];
  ports?: (string | number)[];
}
const compose = parseYaml(read('compose.yaml')) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
const services = compose.services;
function environment(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  const entries = Array.isArray(env) ? env.map((e) => e.split('=', 2) as [string, string]) : Object.entries(env);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(String(v ?? ''))]));
}
/** A healthcheck's test as an argv (CMD form) or a shell line (CMD-SHELL / string form). */
function healthTest(service: ComposeService): string[] {
  const t = service.healthcheck?.test;
  if (typeof t === 'string') return ['CMD-SHELL', t];
  return t ?? [];
}

describe('Dockerfile', () => {
  it('builds in one stage and runs from another, on Node 20', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    for (const s of dockerfile.stages) expect(s.base).toMatch(/^node:20[-.]/);
    const build = dockerfile.stages[0]!;
    expect(build.instructions.some((i) => i.op === 'RUN' && /\bnpm run build\b/.test(i.args))).toBe(true);
    // The runtime stage takes the compiled output from a stage that exists.
    const fromStage = ofRuntime('COPY')
      .map((i) => /--from=(\S+)/.exec(i.args)?.[1])
      .filter(Boolean);
    expect(fromStage.length).toBeGreaterThan(0);
    for (const name of fromStage) expect(dockerfile.stages.map((s) => s.name)).toContain(name);
    expect(ofRuntime('COPY').some((i) => /--from=\S+\s+\/app\/dist\s/.test(i.args))).toBe(true);
  });

  it('installs production dependencies only in the runtime stage, and starts the compiled server there', () => {
    expect(ofRuntime('RUN').some((i) => /\bnpm ci\b[^&]*--omit=dev/.test(i.args))).toBe(true);
    const cmd = execForm(ofRuntime('CMD').at(-1)!.args);
    expect(cmd[0]).toBe('node');
    expect(cmd.at(-1)).toBe('dist/main.js');
    // What `npm run serve` runs, so the container and the docs start the server the same way.
    const serve = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.serve!;
    expect(serve).toBe(cmd.join(' '));
    expect(ofRuntime('EXPOSE').map((i) => i.args)).toContain('4000');
  });

  it('runs as a user other than root', () => {
    const users = ofRuntime('USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.args.split(':')[0];
    expect(['root', '0', '']).not.toContain(user);
    // Nothing after the last USER switches back.
    const last = runtime.instructions.indexOf(users.at(-1)!);
    expect(runtime.instructions.slice(last + 1).some((i) => i.op === 'USER')).toBe(false);
  });

  it('every file a COPY takes from the build context exists and is not excluded by .dockerignore', () => {
    const sources = dockerfile.stages.flatMap((s) => s.instructions.flatMap((i) => copySources(i) ?? []));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'drizzle', 'src']));
    for (const file of sources) {
      expect(existsSync(path.join(root, file)), `${file} is copied but not in the repository`).toBe(true);
      expect(ignoredBy(dockerignore, file), `${file} is copied but .dockerignore excludes it`).toBeNull();
    }
    // The runtime reads these at run time: migrations and the label fonts (label.pdf.ts looks in src/).
    expect(readdirSync(path.join(root, 'drizzle')).some((f) => f.endsWith('.sql'))).toBe(true);
    expect(existsSync(path.join(root, 'src/modules/carriers/label/assets/DejaVuSans.ttf'))).toBe(true);
  });

  it('.dockerignore keeps local state and secrets out of the build context', () => {
    for (const file of ['node_modules/x', 'dist/main.js', '.data/PG_VERSION', '.env', '.git/HEAD']) {
      expect(ignoredBy(dockerignore, file), file).not.toBeNull();
    }
  });

  it('the server and the scripts the image runs import no devDependency (the image has none)', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const walk = (dir: string): string[] =>
      readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) return rel === 'scripts/bench' ? [] : walk(rel); // benchmarks run from a checkout
        // Tests and vitest configs (src/modules/routing/solver/vitest.solver.config.ts) run from a checkout.
        return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !/^vitest\..*config\.ts$/.test(e.name) ? [rel] : [];
      });
    const files = [...walk('src'), ...walk('scripts')];
    expect(files.length).toBeGreaterThan(100);
    const wrong: string[] = [];
    for (const file of files) {
      for (const m of read(file).matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"./][^'"]*)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!pkg.dependencies[name]) wrong.push(`${file}: ${name}${pkg.devDependencies[name] ? ' (a devDependency)' : ' (not in package.json)'}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('compose.yaml', () => {
  it('has postgres, redis and the api, each with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'redis']);
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.disable, name).not.toBe(true);
      expect(healthTest(s).length, `${name} has no healthcheck test`).toBeGreaterThan(1);
    }
    expect(healthTest(services.postgres!).join(' ')).toMatch(/pg_isready/);
    expect(healthTest(services.redis!).join(' ')).toMatch(/redis-cli.*ping/);
  });

  it('points the api at the postgres and redis services, and starts it once both are healthy', () => {
    const api = services.api!;
    expect(api.build).toBeDefined();
    const env = environment(api);
    const db = new URL(env.DATABASE_URL!);
    expect(db.protocol).toBe('postgres:');
    expect(db.hostname).toBe('postgres');
    const pg = environment(services.postgres!);
    expect(decodeURIComponent(db.username)).toBe(pg.POSTGRES_USER);
    expect(decodeURIComponent(db.password)).toBe(pg.POSTGRES_PASSWORD);
    expect(db.pathname).toBe(`/${pg.POSTGRES_DB}`);
    const redis = new URL(env.REDIS_URL!);
    expect(redis.protocol).toBe('redis:');
    expect(redis.hostname).toBe('redis');
    expect(api.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(api.ports?.map((p) => String(p).split(':').at(-1))).toContain('4000');
  });

  it('keeps the PostgreSQL data in a named volume', () => {
    const mounts = (services.postgres!.volumes ?? []).map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v));
    const data = mounts.find((m) => m.target === '/var/lib/postgresql/data');
    expect(data).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(data!.source);
  });
});

describe('health checks against a running server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());

  const checks = () => {
    const hc = ofRuntime('HEALTHCHECK').at(-1)!;
    const image = execForm(hc.args.replace(/^(--\S+\s+)*CMD\s+/, ''));
    const composeApi = healthTest(services.api!);
    expect(composeApi[0]).toBe('CMD');
    return { image, compose: composeApi.slice(1) };
  };
  // Asynchronously: the server answers from this very process.
  const run = (argv: string[], port: string) =>
    new Promise<{ status: number | null; stderr: string }>((resolve) => {
      execFile(argv[0] === 'node' ? process.execPath : argv[0]!, argv.slice(1), { env: { ...process.env, PORT: port }, timeout: 20_000 }, (err, _stdout, stderr) => {
        resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stderr });
      });
    });

  it('both ask /readyz and pass while the server is ready', async () => {
    const port = new URL(t.url).port;
    for (const [which, argv] of Object.entries(checks())) {
      expect(argv.join(' '), which).toContain('/readyz');
      const r = await run(argv, port);
      expect(r.status, `${which}: ${r.stderr}`).toBe(0);
    }
  });

  it('both fail when nothing answers on the port', async () => {
    const { createServer } = await import('node:net');
    // A port that was free a moment ago: bound, then closed.
    const srv = createServer();
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const port = String((srv.address() as { port: number }).port);
    await new Promise((resolve) => srv.close(resolve));
    for (const [which, argv] of Object.entries(checks())) expect((await run(argv, port)).status, which).toBe(1);
  });
});
