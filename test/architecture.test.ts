/**
 * The house rules of docs/architecture.md that a reader of the code can check mechanically: a
 * change that breaks one fails here, with the file and line, instead of waiting for a review.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getMetadataStorage } from 'type-graphql';
import { describe, expect, it } from 'vitest';
import { resolvers } from '../src/server/schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}
const sources = files(src).map((file) => ({ file: path.relative(root, file), text: readFileSync(file, 'utf8') }));

/** Lines of `text` matching `re`, as "file:line: text" (comments included: a rule may not be broken in an example either). */
function hits(re: RegExp, only: (file: string) => boolean = () => true): string[] {
  return sources
    .filter((s) => only(s.file))
    .flatMap((s) => s.text.split('\n').flatMap((line, i) => (re.test(line) && !/^\s*(\*|\/\/)/.test(line) ? [`${s.file}:${i + 1}: ${line.trim()}`] : [])));
}

const moduleOf = (file: string): string | null => /^src\/modules\/([^/]+)\//.exec(file)?.[1] ?? null;

describe('architecture rules', () => {
  it('finds the sources (the rules below would pass vacuously otherwise)', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.some((s) => s.file === 'src/shared/lifecycle.ts')).toBe(true);
  });

  it('only src/config.ts reads process.env', () => {
    expect(hits(/process\.env/, (f) => f !== 'src/config.ts')).toEqual([]);
  });

  it('status columns change only through the lifecycle kernel (no hand-written set({ status }))', () => {
    expect(hits(/\.set\(\{[^}]*\bstatus\b\s*:/, (f) => f !== 'src/shared/lifecycle.ts')).toEqual([]);
    expect(hits(/\bupdate\b[^`]*\bset\s+status\s*=/i, (f) => f !== 'src/shared/lifecycle.ts')).toEqual([]);
  });

  it("a module reads another module's data through its service, never its tables (table files may reference them for foreign keys)", () => {
    const crossings = sources.flatMap((s) => {
      const mine = moduleOf(s.file);
      if (!mine || s.file.endsWith('.table.ts')) return [];
      return [...s.text.matchAll(/from '\.\.\/([a-z-]+)\/[a-z.-]+\.table\.js'/g)].filter((m) => m[1] !== mine).map((m) => `${s.file}: ${m[0]}`);
    });
    expect(crossings).toEqual([]);
  });

  it('resolvers hold no SQL', () => {
    expect(hits(/\bsql`|\.execute\(|database\.rows\(|\.db\.select\(|\.db\.insert\(|\.db\.update\(/, (f) => f.endsWith('.resolver.ts'))).toEqual([]);
  });

  it('services know nothing of GraphQL', () => {
    expect(hits(/from '(graphql|type-graphql|@apollo\/server)'/, (f) => f.endsWith('.service.ts'))).toEqual([]);
  });

  it('shared/ and db/ import no module', () => {
    expect(hits(/from '\.\.\/modules\//, (f) => f.startsWith('src/shared/') || f.startsWith('src/db/'))).toEqual([]);
  });

  it("types with type-graphql's simpleResolvers have no @Authorized or middleware fields (those checks would be skipped)", () => {
    expect(resolvers.length).toBeGreaterThan(10); // the import registers every type's metadata
    const storage = getMetadataStorage();
    const guarded = new Set<Function>([...storage.authorizedFields, ...storage.middlewares].map((m) => m.target));
    const simple = storage.objectTypes.filter((t) => t.simpleResolvers);
    expect(simple.map((t) => t.name).sort()).toEqual([
      'Address',
      'Carrier',
      'CarrierService',
      'DeliveryOption',
      'DurationStats',
      'GeoPoint',
      'KpiBucket',
      'KpiReport',
      'KpiValues',
      'Money',
      'PickupPoint',
      'ProductVariant',
      'Warehouse',
    ]);
    const unsafe = simple.filter((t) => {
      for (let c: Function | null = t.target; c && c !== Function.prototype; c = Object.getPrototypeOf(c) as Function | null) if (guarded.has(c)) return true;
      return false;
    });
    expect(unsafe.map((t) => t.name)).toEqual([]);
  });

  it("the tests .ci/run's PostgreSQL + Redis pass leaves out (ENGINE_INDEPENDENT_TESTS) exist and reach no database, Redis, server or child process", async () => {
    const { ENGINE_INDEPENDENT_TESTS } = await import('../vitest.config.js');
    const engine = /harness|startApp|openDatabase|createApp|freshPostgres|ioredis|realPostgresUrl|realRedisUrl|DATABASE_URL|REDIS_URL|factories\/|src\/main|spawn\(|loadConfig|execFile|child_process/;
    expect(ENGINE_INDEPENDENT_TESTS.length).toBeGreaterThan(10);
    for (const file of ENGINE_INDEPENDENT_TESTS) {
      const text = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
      expect(engine.exec(text)?.[0] ?? null, file).toBeNull();
    }
  });

  it('secrets are compared only by shared/secret-compare.ts (constant time), never with === or !==', () => {
    // One reviewed place holds timingSafeEqual (equal-length digests; it throws on unequal lengths).
    expect(hits(/timingSafeEqual\s*\(|import[^;]*\btimingSafeEqual\b/, (f) => f !== 'src/shared/secret-compare.ts')).toEqual([]);
    // An operand of === / !== whose name has a secret-like word (camelCase words, so `assignee` is not `sig`).
    const SECRET_WORDS = new Set(['secret', 'secrets', 'signature', 'sig', 'digest', 'hmac', 'mac', 'hash', 'token', 'password', 'bearer', 'credential', 'credentials', 'authorization']);
    const secretLike = (operand: string) =>
      operand
        .split(/[.$\[\]()!?]+/)
        .flatMap((part) => part.split(/(?<=[a-z0-9])(?=[A-Z])|_/))
        .some((w) => SECRET_WORDS.has(w.toLowerCase())) || /api_?key|private_?key|signing_?key/i.test(operand);
    const harmless = /^(undefined|null|true|false|'[^']*'|"[^"]*"|`[^`]*`|-?\d+)$/;
    /** Not secrets, reviewed: what each compares. */
    const allowed = new Set([
      'src/modules/orders/order.service.ts: existing.requestHash !== hash', // idempotency fingerprint of the caller's own request
      'src/modules/planning/demand.service.ts: held.history === sig', // cache key: a digest of public demand history
      "src/server/page-http.ts: url.searchParams.get('v') === a.hash", // content hash of a public asset (cache busting)
      'src/modules/carriers/delivery.service.ts: q.h !== quoteFactsHash', // a field of a quote whose signature was verified just before
    ]);
    const found = sources.flatMap((s) =>
      s.text.split('\n').flatMap((line, i) => {
        if (/^\s*(\*|\/\/)/.test(line)) return [];
        return [...line.matchAll(/([\w$.\[\]()'!?]+)\s*(===|!==)\s*([\w$.\[\]()'!?]+)/g)].flatMap((m) => {
          const [left, right] = [m[1]!.replace(/^[(!]+/, ''), m[3]!.replace(/[)]+$/, '')];
          if (/\.length$|\.(size|kind|status|code|type)$/.test(left) || /^typeof/.test(left)) return [];
          if (harmless.test(left) || harmless.test(right) || !(secretLike(left) || secretLike(right))) return [];
          const entry = `${s.file}: ${left} ${m[2]} ${right}`;
          return allowed.has(entry.replace(/\($/, '')) ? [] : [`${s.file}:${i + 1}: ${entry}`];
        });
      }),
    );
    expect(found).toEqual([]);
  });
});
