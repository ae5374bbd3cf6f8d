/** Schema construction details the request path relies on (see schema.ts). */
import { GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAppPubSub } from '../events/pubsub.js';
import { typed } from '../graphql/relay.js';
import { createSchema } from './schema.js';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await createSchema((await createAppPubSub(undefined)).pubSub);
});

const field = (type: string, name: string) => (schema.getType(type) as GraphQLObjectType).getFields()[name]!;

describe('schema', () => {
  it('plain fields use the default resolver (no per-field wrapper); field resolvers and root fields keep theirs', () => {
    for (const [type, name] of [['DeliveryOption', 'id'], ['Money', 'amountMinor'], ['ProductVariant', 'sku'], ['PickupPoint', 'distanceKm'], ['Warehouse', 'code']] as const) {
      expect(field(type, name).resolve, `${type}.${name}`).toBeUndefined();
    }
    expect(field('ProductVariant', 'product').resolve).toBeTypeOf('function');
    expect(field('Query', 'deliveryOptions').resolve).toBeTypeOf('function');
    expect(field('Query', 'node').resolve).toBeTypeOf('function');
  });

  it('Node resolves its concrete type synchronously (graphql-jit needs the name, not a promise)', () => {
    const node = schema.getType('Node') as unknown as { resolveType(v: unknown): unknown };
    expect(node.resolveType(typed('Carrier', { id: 'x' }))).toBe('Carrier');
    expect(node.resolveType({})).toBeUndefined();
  });
});
