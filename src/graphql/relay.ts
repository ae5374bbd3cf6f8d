import 'reflect-metadata';
/**
 * Relay vocabulary: the `Node` interface, opaque global IDs, cursors, `PageInfo`, and a
 * generic connection type factory (edges, nodes, pageInfo, totalCount).
 */
import { ArgsType, Field, ID, Int, InterfaceType, ObjectType, type ClassType } from 'type-graphql';
import { GraphQLError } from 'graphql';
import type { Page, PageArgs } from '../db/pagination.js';

export const MAX_PAGE_SIZE = 100;

/** Marks a plain object with its GraphQL type so the `Node` interface can resolve it. */
export const TYPENAME = Symbol('typename');
export function typed<T extends object>(type: string, value: T): T {
  (value as Record<symbol, string>)[TYPENAME] = type;
  return value;
}

/** The concrete type of a Node value, as `typed` marked it (synchronous: see server/schema.ts). */
export const nodeTypeName = (value: unknown): string | undefined => (value as Record<symbol, string | undefined>)[TYPENAME];

@InterfaceType('Node', {
  description: 'Global object identification (Relay). IDs are opaque strings, unique across all types.',
  resolveType: nodeTypeName,
})
export abstract class Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Encodes a type name and a database id into an opaque global ID. */
export const toGlobalId = (type: string, id: string): string => Buffer.from(`${type}:${id}`).toString('base64url');

/** Decodes a global ID; null when it is malformed. */
export function fromGlobalId(gid: string): { type: string; id: string } | null {
  const raw = Buffer.from(gid, 'base64url').toString('utf8');
  const i = raw.indexOf(':');
  if (i <= 0) return null;
  const id = raw.slice(i + 1);
  if (!UUID.test(id)) return null;
  return { type: raw.slice(0, i), id };
}

/** Decodes a global ID that must be of `type`; null when it is not. */
export function idOfType(gid: string, type: string): string | null {
  const d = fromGlobalId(gid);
  return d && d.type === type ? d.id : null;
}

const encodeCursor = (id: string): string => Buffer.from(`c:${id}`).toString('base64url');
function decodeCursor(cursor: string, arg: string): string {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!raw.startsWith('c:') || !UUID.test(raw.slice(2))) {
    throw new GraphQLError(`Invalid cursor in "${arg}".`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return raw.slice(2);
}

@ObjectType('PageInfo', { description: 'Cursor pagination state of a connection.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'More items after this page.' })
  hasNextPage!: boolean;
  @Field(() => Boolean, { description: 'More items before this page.' })
  hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true, description: 'Cursor of the first item.' })
  startCursor!: string | null;
  @Field(() => String, { nullable: true, description: 'Cursor of the last item.' })
  endCursor!: string | null;
}

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: `Items after \`after\` (forward), at most ${MAX_PAGE_SIZE}; default 20.` })
  first?: number | null;
  @Field(() => String, { nullable: true, description: 'Cursor to start after.' })
  after?: string | null;
  @Field(() => Int, { nullable: true, description: `Items before \`before\` (backward), at most ${MAX_PAGE_SIZE}.` })
  last?: number | null;
  @Field(() => String, { nullable: true, description: 'Cursor to end before.' })
  before?: string | null;
}

/** Validates connection arguments (a thrown BAD_USER_INPUT: a limit, not a business rule) and decodes cursors. */
export function pageArgs(args: ConnectionArgs): PageArgs {
  for (const k of ['first', 'last'] as const) {
    const v = args[k];
    if (v != null && (v < 0 || v > MAX_PAGE_SIZE)) {
      throw new GraphQLError(`"${k}" must be between 0 and ${MAX_PAGE_SIZE}.`, { extensions: { code: 'BAD_USER_INPUT' } });
    }
  }
  if (args.first != null && args.last != null) {
    throw new GraphQLError('Pass either "first" or "last", not both.', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return {
    first: args.first,
    last: args.last,
    afterId: args.after ? decodeCursor(args.after, 'after') : null,
    beforeId: args.before ? decodeCursor(args.before, 'before') : null,
  };
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: Promise<number>;
}

/** Turns a service page into a connection; `map` adapts rows to GraphQL objects. */
export function toConnection<R extends { id: string }, T>(page: Page<R>, map: (row: R) => T): ConnectionShape<T> {
  const nodes = page.items.map(map);
  const edges = page.items.map((r, i) => ({ cursor: encodeCursor(r.id), node: nodes[i]! }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    get totalCount() {
      return page.totalCount();
    },
  };
}

/** Builds `<Name>Connection` and `<Name>Edge` object types for a node type. */
export function Connection<T extends object>(name: string, nodeType: () => ClassType<T>) {
  @ObjectType(`${name}Edge`, { description: `An edge in a ${name} connection.` })
  class Edge {
    @Field(() => String, { description: 'Opaque cursor of this item.' })
    cursor!: string;
    @Field(nodeType, { description: 'The item.' })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items (Relay connection).` })
  class Conn {
    @Field(() => [Edge], { description: 'Items with their cursors.' })
    edges!: Edge[];
    @Field(() => [nodeType()], { description: 'The items of this page.' })
    nodes!: T[];
    @Field(() => PageInfo, { description: 'Pagination state.' })
    pageInfo!: PageInfo;
    @Field(() => Int, { description: 'Number of items matching the filter, over all pages.' })
    totalCount!: number;
  }
  return Conn;
}
