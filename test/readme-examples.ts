/**
 * README examples as tests: reads README.md's fenced blocks and runs every ```graphql and ```bash
 * block in order against a test server, the way a reader would against `npm start` on `npm run seed`.
 *
 * - ```graphql: each operation of the block, in order, over HTTP. GraphQL variables take the value
 *   of the shell variable of the same name in UPPER_SNAKE case (`$orderId` ← `ORDER_ID`), as the
 *   README says. The token is the admin KEY unless an `auth:` annotation names another variable
 *   (`TOKEN`) or `none`. A block that is one `subscription` runs in the background over graphql-ws
 *   (the token as the `connection_init` payload), like a second GraphiQL tab: every event it receives
 *   is one JSON line of its output, which a later `background-output` waits for; an error ends it.
 * - ```bash: run with real bash (and real curl), `http://localhost:4000` / `ws://localhost:4000`
 *   replaced by the test server's address; variables a block assigns are kept for the next blocks,
 *   as in one terminal. Every JSON value curl prints must be free of GraphQL errors and userErrors.
 * - Annotations are HTML comments right after a block (invisible on GitHub):
 *     <!-- auth: TOKEN -->                       who sends a ```graphql block (default KEY; `none`: anonymous)
 *     <!-- capture: ORDER_ID = data.orderCreate.order.id -->   keep a value for later blocks
 *     <!-- expect: data.orderCreate.order.status = "ALLOCATED" --> a JSON value (or `> 0`, `>= 1`, `!= null`)
 *     <!-- output: text -->                       a ```bash block's stdout contains this text
 *     <!-- background: until text -->             a ```bash block keeps running (a watcher): started, then
 *                                                 the walk goes on once its stdout shows the text; it is
 *                                                 stopped (Ctrl+C) after the next background-output or at the end
 *     <!-- background-output: text -->           after this block, a running background block's stdout
 *                                                 shows the text (then the background blocks are stopped)
 *     <!-- not-run: reason -->                    not run yet (the reason says what it would need); the
 *                                                 test lists these blocks, so none goes unnoticed
 *   Paths: `a.b[0].c`, and `[key=VALUE]` for the first list element whose key is VALUE (as text or as
 *   JSON: `[returns=[]]` an empty list, `[csat=null]`).
 *   A block that is not meant to run is not ```graphql or ```bash (```sh for set-up commands, ```js).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kind, parse, print, type OperationDefinitionNode, type TypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface Annotation {
  kind: 'auth' | 'capture' | 'expect' | 'output' | 'background' | 'background-output' | 'not-run';
  arg: string;
}

export interface ReadmeBlock {
  lang: 'graphql' | 'bash';
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  annotations: Annotation[];
}

const ANNOTATION = /^<!--\s*(auth|capture|expect|output|background|background-output|not-run):\s*(.*?)\s*-->\s*$/;

/** Every ```graphql and ```bash block of the markdown text, in order, with the annotations after it. */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const out: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`README line ${start + 1}: unclosed code block`);
    const lang = open[1];
    const annotations: Annotation[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!.trim();
      if (!l) continue;
      const a = ANNOTATION.exec(l);
      if (!a) {
        if (l.startsWith('<!--')) throw new Error(`README line ${j + 1}: not an annotation this test knows: ${l}`);
        break;
      }
      annotations.push({ kind: a[1] as Annotation['kind'], arg: a[2]! });
    }
    if (lang === 'graphql' || lang === 'bash') out.push({ lang, code: body.join('\n'), line: start + 1, annotations });
    else if (annotations.length) throw new Error(`README line ${start + 1}: annotations on a \`\`\`${lang} block, which is not run`);
  }
  return out;
}

/** `a.b[0].c`, `a[key=VALUE].c` (VALUE as text or as JSON: `[returns=[]]`, `[csat=null]`) */
export function atPath(value: unknown, p: string): unknown {
  let v = value;
  for (const part of p.match(/[^.[\]]+|\[(?:[^[\]]|\[\])*\]/g) ?? []) {
    if (v == null) return undefined;
    if (part.startsWith('[')) {
      const inner = part.slice(1, -1);
      const eq = inner.indexOf('=');
      if (eq < 0) v = (v as unknown[])[Number(inner)];
      else {
        const [k, want] = [inner.slice(0, eq), inner.slice(eq + 1)];
        v = (v as Record<string, unknown>[]).find((x) => {
          const got = atPath(x, k);
          return String(got) === want || JSON.stringify(got) === want;
        });
      }
    } else v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** `ORDER_ID` for `orderId`. */
export const shellName = (graphqlName: string) => graphqlName.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Splits curl's concatenated output into JSON values (non-JSON text between them is returned apart). */
export function jsonValues(text: string): { values: unknown[]; rest: string } {
  const values: unknown[] = [];
  let rest = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c !== '{' && c !== '[') {
      rest += c;
      i++;
      continue;
    }
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < text.length; j++) {
      const d = text[j]!;
      if (inString) {
        if (d === '\\') j++;
        else if (d === '"') inString = false;
      } else if (d === '"') inString = true;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        if (--depth === 0) break;
      }
    }
    const chunk = text.slice(i, j + 1);
    try {
      values.push(JSON.parse(chunk));
    } catch {
      rest += chunk;
    }
    i = j + 1;
  }
  return { values, rest };
}

/** Every non-empty `userErrors` list anywhere in a result. */
function userErrorsIn(v: unknown, at = 'data'): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => userErrorsIn(x, `${at}[${i}]`));
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) =>
    k === 'userErrors' && Array.isArray(x) && x.length ? [`${at}.${k}: ${JSON.stringify(x)}`] : userErrorsIn(x, `${at}.${k}`),
  );
}

/** Problems of one GraphQL response: errors, userErrors. */
export function problemsOf(result: unknown): string[] {
  const r = result as { errors?: unknown[]; data?: unknown };
  const out: string[] = [];
  if (r?.errors?.length) out.push(`errors: ${JSON.stringify(r.errors)}`);
  out.push(...userErrorsIn(r?.data));
  return out;
}

/** Checks `<path> <op> <json>`; returns a message when it does not hold. */
export function checkExpectation(result: unknown, expr: string): string | null {
  const m = /^(\S+)\s*(=|!=|>=|>|<=|<|contains)\s*(.+)$/.exec(expr);
  if (!m) return `cannot read the expectation "${expr}"`;
  const [, p, op, raw] = m as unknown as [string, string, string, string];
  const actual = atPath(result, p);
  const want = JSON.parse(raw) as unknown;
  const ok =
    op === '='
      ? JSON.stringify(actual) === JSON.stringify(want)
      : op === '!='
        ? JSON.stringify(actual) !== JSON.stringify(want)
        : op === 'contains'
          ? Array.isArray(actual)
            ? actual.some((x) => JSON.stringify(x) === JSON.stringify(want))
            : String(actual).includes(String(want))
          : typeof actual === 'number' &&
            (op === '>' ? actual > (want as number) : op === '>=' ? actual >= (want as number) : op === '<' ? actual < (want as number) : actual <= (want as number));
  return ok ? null : `expected ${p} ${op} ${raw}, got ${JSON.stringify(actual)}`;
}

function variableValue(type: TypeNode, text: string): unknown {
  const named = type.kind === Kind.NON_NULL_TYPE ? type.type : type;
  if (named.kind !== Kind.NAMED_TYPE) return JSON.parse(text);
  if (named.name.value === 'Int' || named.name.value === 'Float') return Number(text);
  if (named.name.value === 'Boolean') return text === 'true';
  return text;
}

export interface WalkOptions {
  /** The server: http://host:port/graphql and ws://host:port/graphql. */
  url: string;
  wsUrl: string;
  /** Shell variables the reader has set before the first block (KEY). */
  env: Record<string, string>;
  /** The repository root (bash blocks run there, like `npx tsx examples/…`). */
  cwd: string;
  /** Literal text of the README to replace in ```bash blocks (the README's example admin key by the server's). */
  replace?: Record<string, string>;
  /** Called before every block (the seed test moves its manual clock to the real time). */
  beforeBlock?: () => void;
  log?: (line: string) => void;
}

interface Background {
  block: ReadmeBlock;
  /** What it printed (a subscription: one JSON line per event). */
  stdout: string;
  stderr: string;
  exited: boolean;
  /** Emits `change` on new output and on exit. */
  events: EventEmitter;
  /** Ctrl+C (or, for a subscription, closing the socket); resolves once it has ended. */
  stop(): Promise<void>;
}

function waitForText(bg: Background, text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`README line ${bg.block.line}: "${text}" did not appear in ${timeoutMs} ms; stdout: ${bg.stdout}; stderr: ${bg.stderr}`)), timeoutMs);
    const check = () => {
      if (bg.stdout.includes(text)) finish();
      else if (bg.exited) finish(new Error(`README line ${bg.block.line}: exited before printing "${text}"; stdout: ${bg.stdout}; stderr: ${bg.stderr}`));
    };
    const finish = (err?: Error) => {
      clearTimeout(timer);
      bg.events.off('change', check);
      if (err) reject(err);
      else resolve();
    };
    bg.events.on('change', check);
    check();
  });
}

/** A ```bash block in the background: its own process group, so that Ctrl+C reaches bash, npx and node. */
function backgroundProcess(block: ReadmeBlock, child: ChildProcess): Background {
  const bg: Background = {
    block,
    stdout: '',
    stderr: '',
    exited: false,
    events: new EventEmitter(),
    async stop() {
      if (bg.exited) return;
      const gone = new Promise((r) => bg.events.once('exit', r));
      try {
        process.kill(-child.pid!, 'SIGINT');
      } catch {
        child.kill('SIGINT');
      }
      await gone;
    },
  };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => ((bg.stdout += s), bg.events.emit('change')));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (bg.stderr += s));
  child.once('exit', () => ((bg.exited = true), bg.events.emit('change'), bg.events.emit('exit')));
  return bg;
}

/** A ```graphql subscription in the background over graphql-ws: each event is a JSON line of its stdout. */
function backgroundSubscription(block: ReadmeBlock, wsUrl: string, token: string | null, query: string, operationName: string, variables: Record<string, unknown>): Background {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: token ? { authorization: `Bearer ${token}` } : {}, retryAttempts: 0 });
  const bg: Background = {
    block,
    stdout: '',
    stderr: '',
    exited: false,
    events: new EventEmitter(),
    async stop() {
      unsubscribe();
      end();
      await client.dispose();
    },
  };
  const end = () => {
    if (bg.exited) return;
    bg.exited = true;
    bg.events.emit('change');
  };
  const unsubscribe = client.subscribe(
    { query, operationName, variables },
    {
      next: (result) => {
        const problems = problemsOf(result);
        if (problems.length) bg.stderr += `${problems.join('; ')}\n`;
        else bg.stdout += `${JSON.stringify(result)}\n`;
        bg.events.emit('change');
      },
      error: (e) => {
        bg.stderr += `${e instanceof Error ? e.message : JSON.stringify(e)}\n`;
        end();
      },
      complete: end,
    },
  );
  return bg;
}

/**
 * Runs the blocks in order; throws at the first block that fails, naming its README line.
 * Returns the shell variables at the end (for the caller's own checks).
 */
export async function walkReadme(blocks: ReadmeBlock[], opts: WalkOptions): Promise<Record<string, string>> {
  const vars: Record<string, string> = { ...opts.env };
  const origin = new URL(opts.url).origin;
  const wsOrigin = new URL(opts.wsUrl).origin;
  const localize = (s: string) =>
    Object.entries(opts.replace ?? {}).reduce((x, [from, to]) => x.replaceAll(from, to), s.replaceAll('http://localhost:4000', origin).replaceAll('ws://localhost:4000', wsOrigin));
  const backgrounds: Background[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'wb-readme-'));
  const stopBackgrounds = async () => {
    for (const bg of backgrounds.splice(0)) await bg.stop();
  };
  try {
    for (const block of blocks) {
      if (block.annotations.some((a) => a.kind === 'not-run')) continue;
      opts.beforeBlock?.();
      const where = `README line ${block.line}`;
      const notes = (k: Annotation['kind']) => block.annotations.filter((a) => a.kind === k).map((a) => a.arg);
      let result: unknown;
      if (block.lang === 'graphql') {
        const doc = parse(block.code);
        const auth = notes('auth')[0] ?? 'KEY';
        const token = auth === 'none' ? null : vars[auth];
        if (auth !== 'none' && !token) throw new Error(`${where}: no ${auth} set by the blocks before`);
        const data: Record<string, unknown> = {};
        const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
        const variablesOf = (op: OperationDefinitionNode) => {
          const variables: Record<string, unknown> = {};
          for (const d of op.variableDefinitions ?? []) {
            const name = shellName(d.variable.name.value);
            if (vars[name] === undefined) {
              if (d.defaultValue || d.type.kind !== Kind.NON_NULL_TYPE) continue;
              throw new Error(`${where}: $${d.variable.name.value} needs ${name}, which no block before set`);
            }
            variables[d.variable.name.value] = variableValue(d.type, vars[name]!);
          }
          return variables;
        };
        if (ops.some((op) => op.operation === 'subscription')) {
          const [op] = ops;
          if (ops.length !== 1 || !op!.name) throw new Error(`${where}: a subscription block is one named subscription`);
          if (block.annotations.some((a) => a.kind !== 'auth')) throw new Error(`${where}: a subscription's events are checked by a later background-output, not by annotations of its own`);
          const bg = backgroundSubscription(block, opts.wsUrl, token, print(doc), op!.name.value, variablesOf(op!));
          backgrounds.push(bg);
          // graphql-ws has no acknowledgement per subscription: give the server a moment to register it.
          await new Promise((r) => setTimeout(r, 500));
          if (bg.exited) throw new Error(`${where} (${op!.name.value}): the subscription ended at once: ${bg.stderr}`);
          opts.log?.(`${where} ${op!.name.value}: subscribed`);
          continue;
        }
        for (const op of ops) {
          if (!op.name) throw new Error(`${where}: every README operation has a name (GraphiQL tabs are named after them)`);
          const variables = variablesOf(op);
          const res = await fetch(opts.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
            body: JSON.stringify({ query: print(doc), operationName: op.name.value, variables }),
          });
          const body = (await res.json()) as { data?: Record<string, unknown> };
          const problems = problemsOf(body);
          if (res.status !== 200 || problems.length) throw new Error(`${where} (${op.name.value}): HTTP ${res.status}; ${problems.join('; ')}`);
          Object.assign(data, body.data);
          opts.log?.(`${where} ${op.name.value}: ${JSON.stringify(body.data).slice(0, 300)}`);
        }
        result = { data };
      } else {
        const envFile = path.join(dir, 'env');
        const script = `set -a -e -o pipefail\n${localize(block.code)}\nenv -0 > ${JSON.stringify(envFile)}\n`;
        const env = { PATH: process.env.PATH!, HOME: process.env.HOME ?? dir, LANG: 'C.UTF-8', ...vars };
        const background = notes('background')[0];
        const child = spawn('bash', ['-c', script], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: background !== undefined });
        if (background !== undefined) {
          const bg = backgroundProcess(block, child);
          backgrounds.push(bg);
          await waitForText(bg, background.replace(/^until\s+/, ''), 90_000);
          // graphql-ws has no acknowledgement per subscription: give the server a moment to register it.
          await new Promise((r) => setTimeout(r, 300));
          opts.log?.(`${where} (background): ${bg.stdout.trim()}`);
          continue;
        }
        let stdout = '';
        let stderr = '';
        child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
        child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
        const code = await new Promise<number | null>((r) => child.once('close', r));
        if (code !== 0) throw new Error(`${where}: bash exited with ${code}; stdout: ${stdout}; stderr: ${stderr}`);
        const { values } = jsonValues(stdout);
        const problems = values.flatMap((v) => (v && typeof v === 'object' && ('data' in v || 'errors' in v) ? problemsOf(v) : []));
        if (problems.length) throw new Error(`${where}: ${problems.join('; ')}; stdout: ${stdout}`);
        for (const text of notes('output')) if (!stdout.includes(text)) throw new Error(`${where}: stdout lacks "${text}": ${stdout}`);
        for (const entry of readFileSync(envFile, 'utf8').split('\0')) {
          const eq = entry.indexOf('=');
          if (eq > 0 && /^[A-Z][A-Z0-9_]*$/.test(entry.slice(0, eq))) vars[entry.slice(0, eq)] = entry.slice(eq + 1);
        }
        rmSync(envFile, { force: true });
        result = values.length === 1 ? values[0] : values;
        opts.log?.(`${where}: ${stdout.trim().slice(0, 300)}`);
      }
      for (const e of notes('expect')) {
        const why = checkExpectation(result, e);
        if (why) throw new Error(`${where}: ${why}`);
      }
      for (const c of notes('capture')) {
        const m = /^([A-Z][A-Z0-9_]*)\s*=\s*(\S+)$/.exec(c);
        if (!m) throw new Error(`${where}: cannot read the capture "${c}"`);
        const v = atPath(result, m[2]!);
        if (v == null || typeof v === 'object') throw new Error(`${where}: ${m[2]} is ${JSON.stringify(v)}, not a value to keep in ${m[1]}`);
        vars[m[1]!] = String(v);
      }
      const awaited = notes('background-output');
      if (awaited.length) {
        if (!backgrounds.length) throw new Error(`${where}: background-output, but no block runs in the background`);
        for (const text of awaited) await Promise.any(backgrounds.map((bg) => waitForText(bg, text, 60_000)));
        await stopBackgrounds();
      }
    }
    return vars;
  } finally {
    await stopBackgrounds();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** README.md of the repository. */
export const readReadme = (root: string) => readFileSync(path.join(root, 'README.md'), 'utf8');
