/**
 * `npm run apikey -- <command>`: API keys on the configured database, through the auth service.
 *
 *   create --name N --kind STAFF|PARTNER --scopes a,b [--warehouses W1,W2] [--carriers C1]
 *          prints the key's id, then the secret as the LAST line of stdout (scripts take `tail -1`)
 *   list   prints every key (id, kind, name, prefix, scopes, revoked)
 *   revoke --id <global id or uuid>
 *
 * Errors (bad arguments, validation) go to stderr with exit code 1; logs go to stderr.
 * With PGlite (DATABASE_URL unset or file:) stop the server first: its data directory is single-process.
 */
import { parseArgs } from 'node:util';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyRow } from '../src/modules/auth/auth.service.js';
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
      const { secret, apiKey } = await withScriptApp((ctx) =>
        createApiKey(ctx, {
          name: values.name!,
          kind,
          scopes: list(values.scopes) ?? [],
          warehouseCodes: list(values.warehouses),
          carrierCodes: list(values.carriers),
        }),
      );
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
    } else if (err instanceof BusinessError) {
      for (const e of err.errors) process.stderr.write(`error: ${e.message}${e.field ? ` (${e.field.slice(1).join('.')})` : ''}\n`);
    } else {
      process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    }
    process.exitCode = 1;
  }
}
