import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAppPubSub } from '../src/events/pubsub.js';
import { createSchema, printSortedSchema } from '../src/server/schema.js';

describe('schema/schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema:emit` after changing types)', async () => {
    const pubSub = await createAppPubSub(undefined);
    const built = printSortedSchema(await createSchema(pubSub.pubSub));
    const committed = readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(built);
  });
});
