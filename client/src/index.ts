/**
 * @waybill/client: a typed client for the Waybill GraphQL API (storefronts and partner systems).
 *
 *   import { createWaybillClient, OrderDocument } from '@waybill/client';
 *   const waybill = createWaybillClient({ url: 'https://api.example.com/graphql', token: process.env.WAYBILL_KEY });
 *   const { order } = await waybill.request(OrderDocument, { id });   // order: typed by the operation
 *
 * The documents (…Document) and their result and variable types are generated from the server's
 * schema and client/operations/*.graphql by `npm run codegen` (see ./generated/graphql.ts).
 */
export * from './client.js';
export * from './generated/graphql.js';
