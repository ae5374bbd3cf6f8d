#!/usr/bin/env node
/**
 * postinstall: repairs a defect of postgres.js 3.4.x that the maintainers have not released a fix
 * for (porsager/postgres#1154, #1208; fix proposals #1168, #1209). Small writes wait for a
 * setImmediate; when the connection closes first (the server crashed or restarted), `nextWrite`
 * calls `socket.write` on a null socket. That TypeError is thrown from the immediate, where no caller
 * can catch it, so it stopped Waybill (an uncaught exception exits: main.ts), and the connection kept
 * a stale timer and buffered bytes that hung or corrupted its next start-up.
 *
 * The patch: a write with no socket rejects what was waiting on the connection (CONNECTION_CLOSED,
 * as a close does) instead of throwing, and a close forgets the pending write. Applied to the ESM
 * and CommonJS builds; idempotent; it fails the install when the code no longer looks as expected
 * (a new postgres.js version: check whether it is fixed upstream, then update or drop this).
 * Reproduced by test/faults/postgres-outage.test.ts (PostgreSQL killed under load).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MARK = '/* waybill: null-socket guard (porsager/postgres#1208) */';

const edits = [
  {
    from: `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
    to: `  function nextWrite(fn) {
    ${MARK}
    if (!socket) {
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`,
  },
  {
    // closed(): drop the write of the dead socket, so a reconnect starts clean.
    from: `    incomings = null
    clearImmediate(nextWriteTimer)
    socket.removeListener('data', data)`,
    to: `    incomings = null
    clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null
    socket.removeListener('data', data)`,
  },
];

let patched = 0;
for (const build of ['src', 'cjs/src']) {
  const file = path.join(root, 'node_modules/postgres', build, 'connection.js');
  if (!existsSync(file)) continue;
  let text = readFileSync(file, 'utf8');
  if (text.includes(MARK)) continue;
  for (const e of edits) {
    if (!text.includes(e.from)) {
      console.error(`patch-dependencies: ${path.relative(root, file)} does not contain the code this patch expects; see scripts/patch-dependencies.mjs`);
      process.exit(1);
    }
    text = text.replace(e.from, e.to);
  }
  writeFileSync(file, text);
  patched++;
}
if (patched) console.log(`patch-dependencies: postgres.js null-socket guard applied (${patched} build${patched > 1 ? 's' : ''})`);
