/**
 * `npm run apikey -- <command>`: API keys on the configured database, through the auth service.
 *
 *   create --name N --kind STAFF|PARTNER --scopes a,b [--warehouses W1,W2] [--carriers C1]
 *          prints the key's id, then the secret as the LAST line of stdout (scripts take `tail -1`)
 *   list   prints every key (id, kind, name, prefix, scopes, revoked)
 *   revoke --id <global id or uuid>
 *
 * Errors (bad arguments, validation, restriction codes that name no warehouse or carrier of the
 * database) go to stderr with exit code 1; logs go to stderr.
 * With PGlite (DATABASE_URL unset or file:) stop the server first: its data directory is single-process.
 */
import { parseArgs } from 'node:util';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyRow } from '../src/modules/auth/auth.service.js';
import { carrierCatalog } from '../src/modules/carriers/carrier.service.js';
import { listAllWarehouses } from '../src/modules/warehouse/warehouse.service.js';
import type { ServiceContext } from '../src/shared/service-context.js';
import { idOfType, toGlobalId } from '../src/graphql/relay.js';
import { BusinessError } from '../src/shared/errors.js';
import { ALL_SCOPES, type PrincipalKind } from '../src/shared/principal.js';
import { isMain, withScriptApp } from './lib/script-app.js';

const USAGE = `Usage:
  npm run apikey -- create --name <name> --kind STAFF|PARTNER --scopes <scope,scope> [--warehouses W1,W2] [--carriers C1]
  npm run apikey -- list
  npm run apikey -- revoke --id <global id or uuid>
Scopes: ${ALL_SCOPES.join(', ')}
Uses the server's configuration (DATABASE_URL, PGLITE_DATA_DIR, REDIS_URL). On PGlite, stop the server first.`;

class UsageError extends Error {}
/** A restriction code that names no warehouse or carrier of the database: refused before anything is written. */
class UnknownCodeError extends Error {}

/**
 * Restriction codes must name warehouses and carriers of this database (the auth service refuses
 * them too, as NOT_FOUND); here the message also lists the codes that exist, or says to seed first,
 * since a typo (`MSK-1` for `MSK1`) or an empty database is the usual reason.
 */
async function checkRestrictionCodes(ctx: ServiceContext, warehouses: string[] | null, carriers: string[] | null): Promise<void> {
  const problems: string[] = [];
  const check = (what: string, flag: string, given: string[] | null, known: string[]) => {
    const unknown = (given ?? []).filter((c) => !known.includes(c));
    if (!unknown.length) return;
    const list = unknown.map((c) => `"${c}"`).join(', ');
    problems.push(
      known.length
        ? `Unknown ${what} code${unknown.length > 1 ? 's' : ''} ${list} in ${flag}; the ${what}s in this database are ${known.join(', ')}.`
        : `Unknown ${what} code${unknown.length > 1 ? 's' : ''} ${list} in ${flag}: this database has no ${what}s yet (run \`npm run seed\` for the demo store, or create them first).`,
    );
  };
  if (warehouses?.length) check('warehouse', '--warehouses', warehouses, (await listAllWarehouses(ctx)).map((w) => w.code));
  if (carriers?.length) check('carrier', '--carriers', carriers, (await carrierCatalog(ctx)).carriers.map((c) => c.code));
  if (problems.length) throw new UnknownCodeError(`${problems.join('\n')}\nNo key was created.`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const list = (s: string | undefined): string[] | null => (s == null ? null : s.split(',').map((x) => x.trim()).filter(Boolean));

function describe(k: ApiKeyRow): string {
  const restrict = [k.warehouseCodes && `warehouses=${k.warehouseCodes.join(',')}`, k.carrierCodes && `carriers=${k.carrierCodes.join(',')}`].filter(Boolean);
  return [toGlobalId('ApiKey', k.id), k.kind, JSON.stringify(k.name), `${k.prefix}…`, k.scopes.join(',') || '-', ...restrict, k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'].join('  ');
}

/** Runs one command; returns the lines for stdout. Throws UsageError or BusinessError. */
export async function run(argv: string[]): Promise<string[]> {
  const [command, ...rest] = argv;
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        name: { type: 'string' },
        kind: { type: 'string' },
        scopes: { type: 'string' },
        warehouses: { type: 'string' },
        carriers: { type: 'string' },
        id: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | undefined> });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  switch (command) {
    case 'create': {
      if (!values.name || !values.kind || values.scopes == null) throw new UsageError('create needs --name, --kind and --scopes.');
      const kind = values.kind.toUpperCase() as PrincipalKind;
      const warehouseCodes = list(values.warehouses);
      const carrierCodes = list(values.carriers);
      const { secret, apiKey } = await withScriptApp(async (ctx) => {
        await checkRestrictionCodes(ctx, warehouseCodes, carrierCodes);
        return createApiKey(ctx, { name: values.name!, kind, scopes: list(values.scopes) ?? [], warehouseCodes, carrierCodes });
      });
      return [`Created API key ${toGlobalId('ApiKey', apiKey.id)} (${apiKey.kind}, scopes: ${apiKey.scopes.join(',') || '-'}).`, 'Secret (shown once):', secret];
    }
    case 'list': {
      return withScriptApp(async (ctx) => {
        const lines: string[] = [];
        for (let afterId: string | null = null; ; ) {
          const page = await listApiKeys(ctx, { first: 100, afterId });
          lines.push(...page.items.map(describe));
          if (!page.hasNextPage || !page.items.length) break;
          afterId = page.items[page.items.length - 1]!.id;
        }
        return lines.length ? lines : ['No API keys.'];
      });
    }
    case 'revoke': {
      if (!values.id) throw new UsageError('revoke needs --id.');
      const id = UUID.test(values.id) ? values.id : idOfType(values.id, 'ApiKey');
      if (!id) throw new UsageError(`Not an API key id: "${values.id}".`);
      const row = await withScriptApp((ctx) => revokeApiKey(ctx, id));
      return [`Revoked ${describe(row)}`];
    }
    default:
      throw new UsageError(command ? `Unknown command "${command}".` : 'No command given.');
  }
}

if (isMain(import.meta.url)) {
  try {
    const lines = await run(process.argv.slice(2));
    process.stdout.write(lines.join('\n') + '\n');
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${USAGE}\n`);
    } else if (err instanceof UnknownCodeError) {
      process.stderr.write(`error: ${err.message}\n`);
    } else if (err instanceof BusinessError) {
      for (const e of err.errors) process.stderr.write(`error: ${e.message}${e.field ? ` (${e.field.slice(1).join('.')})` : ''}\n`);
    } else {
      process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    }
    process.exitCode = 1;
  }
}
