/**
 * Emits schema/schema.graphql from the code (sorted SDL). `--check` exits 1 when the committed
 * file differs, which is what CI and the drift test use.
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { createAppPubSub } from '../src/events/pubsub.js';
import { createSchema, printSortedSchema } from '../src/server/schema.js';

const file = new URL('../schema/schema.graphql', import.meta.url);
const pubSub = await createAppPubSub(undefined);
const sdl = printSortedSchema(await createSchema(pubSub.pubSub));
if (process.argv.includes('--check')) {
  const current = readFileSync(file, 'utf8');
  if (current !== sdl) {
    console.error('schema/schema.graphql is out of date: run `npm run schema:emit` and commit it.');
    process.exit(1);
  }
  console.log('schema/schema.graphql is up to date.');
} else {
  writeFileSync(file, sdl);
  console.log(`wrote schema/schema.graphql (${sdl.length} bytes)`);
}
