/** `{ A: 'A', B: 'B' }` from a table's value list, for `registerEnumType`: the GraphQL enum and the column share one list. */
export const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };
