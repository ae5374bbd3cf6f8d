#!/usr/bin/env node
/**
 * postinstall: repairs two defects of postgres.js 3.4.x that the maintainers have not released fixes
 * for. Each edit is applied to the ESM and CommonJS builds, is idempotent (an edit already there is
 * kept), and fails the install when the code around it no longer looks as expected (a new
 * postgres.js version: check whether it is fixed upstream, then update or drop the edit).
 *
 * 1. Null socket (porsager/postgres#1154, #1208; proposals #1168, #1209). Small writes wait for a
 *    setImmediate; when the connection closes first (the server crashed or restarted), `nextWrite`
 *    calls `socket.write` on a null socket. That TypeError is thrown from the immediate, where no
 *    caller can catch it, so it stopped Waybill (an uncaught exception exits: main.ts), and the
 *    connection kept a stale timer and buffered bytes that hung or corrupted its next start-up.
 *    The edit: a write with no socket rejects what was waiting on the connection (CONNECTION_CLOSED,
 *    as a close does) instead of throwing, and a close forgets the pending write.
 *    Reproduced by test/faults/postgres-outage.test.ts (PostgreSQL killed under load).
 *
 * 2. Transactions losing their connection (porsager/postgres#823, #1189, #1210; proposals #1207,
 *    #1211). `sql.begin` sends BEGIN with an `onexecute` hook that reserves the connection for the
 *    transaction, but `execute()` ran the hook only at the end of an `&&` chain that also decides
 *    whether more statements may be pipelined: when the socket was backed up (`write()` false) or
 *    the connection already had `max_pipeline` statements in flight, BEGIN went out and the
 *    connection was not reserved. The transaction then failed with UNSAFE_TRANSACTION (seen under
 *    load: 1 of 1,000 orderCreate in test/faults/bursts.test.ts answered INTERNAL_SERVER_ERROR) and, worse, the
 *    connection went back to the pool inside PostgreSQL's open transaction, where other requests'
 *    autocommit statements ran and were lost when a later transaction on it rolled back.
 *    The edit: BEGIN reserves its connection whenever it was written to a live socket, and no other
 *    statement is pipelined behind it (as before when the hook ran); a socket's 'drain' no longer
 *    hands a connection reserved by a transaction back to the pool (the pool's statements would run
 *    inside that transaction). Reproduced by test/postgres-driver.test.ts (a BEGIN as the 100th
 *    statement in flight; with `max_pipeline: 2`, 10 of 400 transactions failed and 21 of 1,200
 *    acknowledged inserts were lost before the edit).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MARK = '/* waybill: null-socket guard (porsager/postgres#1208) */';
const RESERVE_MARK = '/* waybill: BEGIN reserves its connection (porsager/postgres#823, #1189) */';

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
  {
    // execute(): the transaction's hook runs whenever BEGIN was written, not only when the pipeline
    // has room; a statement with the hook never lets the pool pipeline more behind it.
    from: `      build(q)
      return write(toBuffer(q))
        && !q.describeFirst
        && !q.cursorFn
        && sent.length < max_pipeline
        && (!q.options.onexecute || q.options.onexecute(connection))`,
    to: `      build(q)
      ${RESERVE_MARK}
      const written = write(toBuffer(q))
      if (q.options.onexecute) {
        socket && q.options.onexecute(connection)
        return false
      }
      return written
        && !q.describeFirst
        && !q.cursorFn
        && sent.length < max_pipeline`,
  },
  {
    // drain(): a connection reserved by a transaction (or sql.reserve) is not the pool's to reuse.
    from: `  function drain() {
    !query && onopen(connection)`,
    to: `  function drain() {
    !query && !connection.reserved && onopen(connection)`,
  },
];

let applied = 0;
for (const build of ['src', 'cjs/src']) {
  const file = path.join(root, 'node_modules/postgres', build, 'connection.js');
  if (!existsSync(file)) continue;
  let text = readFileSync(file, 'utf8');
  const before = text;
  for (const e of edits) {
    if (text.includes(e.to)) continue;
    if (!text.includes(e.from)) {
      console.error(`patch-dependencies: ${path.relative(root, file)} does not contain the code this patch expects; see scripts/patch-dependencies.mjs`);
      process.exit(1);
    }
    text = text.replace(e.from, e.to);
    applied++;
  }
  if (text !== before) writeFileSync(file, text);
}
if (applied) console.log(`patch-dependencies: ${applied} edit${applied > 1 ? 's' : ''} applied to postgres.js (null-socket guard, BEGIN reservation)`);
