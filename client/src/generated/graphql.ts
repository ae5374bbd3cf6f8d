/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** A postal address. */
export type AddressInput = {
  /** City. */
  city: string;
  /** ISO 3166-1 alpha-2, e.g. RU, DE. */
  countryCode: string;
  /** Street and house. */
  line1: string;
  /** Apartment, floor, etc. */
  line2?: string | null | undefined;
  /** Coordinates, when known. */
  location?: GeoPointInput | null | undefined;
  /** Recipient name. */
  name?: string | null | undefined;
  /** Phone number. */
  phone?: string | null | undefined;
  /** Postal code. */
  postalCode: string;
  /** Region or state. */
  region?: string | null | undefined;
};

/** Stock held outside the WMS (a marketplace, a retail point of sale) reported by a partner system: replaces the channel's quantity for each SKU, so availability is unified. */
export type ChannelStockSyncInput = {
  /** Channel name. */
  channel: string;
  /** Quantities per SKU. */
  lines: Array<InventoryLineInput>;
};

/** A cart and where it should go. */
export type DeliveryOptionsInput = {
  /** Currency of the prices shown (ISO 4217). */
  currency: string;
  /** Destination; with location, pickup points are offered by distance. */
  destination: AddressInput;
  /** The cart lines (SKU and quantity). */
  lines: Array<OrderLineInput>;
};

/** How the parcel reaches the customer. */
export type DeliveryType =
  | 'COURIER'
  | 'PARTNER'
  | 'PICKUP_POINT';

/** WGS 84 coordinates. */
export type GeoPointInput = {
  /** Latitude in degrees, -90..90. */
  lat: number;
  /** Longitude in degrees, -180..180. */
  lng: number;
};

/** Identify an item by SKU or by scanned barcode (GTIN); exactly one must be given. */
export type InventoryLineInput = {
  /** Scanned GTIN, exactly as the scanner sends it. */
  barcode?: string | null | undefined;
  /** Units (> 0; 0 allowed in counts and channel sync). */
  quantity: number;
  /** SKU. */
  sku?: string | null | undefined;
};

/** Money in integer minor units of an ISO 4217 currency. */
export type MoneyInput = {
  /** Amount in minor units. */
  amountMinor: number;
  /** ISO 4217 currency code. */
  currency: string;
};

/** The order to cancel. */
export type OrderCancelInput = {
  /** Order global ID. */
  id: string | number;
  /** Why (shown in the timeline). */
  reason?: string | null | undefined;
};

/** A new order. */
export type OrderCreateInput = {
  /** Accept lines without stock (BACKORDERED) instead of refusing. */
  allowBackorder?: boolean | null | undefined;
  /** Sales channel, e.g. web. */
  channel: string;
  /** ISO 4217 currency of the order. */
  currency: string;
  /** The buyer. With a customer token the buyer is the token's own account: give its e-mail (any other is the userError CUSTOMER_MISMATCH and nothing is written); name, phone and locale are then the account's. */
  customer: OrderCustomerInput;
  /** An id from Query.deliveryOptions; fixes delivery type, carrier service, pickup point and shipping price. */
  deliveryOptionId?: string | null | undefined;
  /** Used when no deliveryOptionId is given. */
  deliveryType?: DeliveryType | null | undefined;
  /** The order's id in the sending platform. */
  externalId?: string | null | undefined;
  /** Retries with the same key never create a second order (see invariants). */
  idempotencyKey?: string | null | undefined;
  /** What. */
  lines: Array<OrderLineInput>;
  /** Points to redeem as a discount (customer's own balance; at most maxRedeemShare of the subtotal). */
  redeemPoints?: number | null | undefined;
  /** Where to deliver. */
  shippingAddress: AddressInput;
};

/** The buyer; created if the e-mail is new. */
export type OrderCustomerInput = {
  /** E-mail. */
  email: string;
  /** BCP 47 language for messages; default en. */
  locale?: string | null | undefined;
  /** Name. */
  name?: string | null | undefined;
  /** Phone. */
  phone?: string | null | undefined;
};

/** Filters of Query.orders. */
export type OrderFilter = {
  /** Sales channel (exact; at most 200 characters). */
  channel?: string | null | undefined;
  /** Created at or after. */
  createdFrom?: string | null | undefined;
  /** Created at or before. */
  createdTo?: string | null | undefined;
  /** Customer's e-mail (exact, case-insensitive; `%` and `_` are not wildcards; at most 200 characters). */
  customerEmail?: string | null | undefined;
  /** Any of these statuses. */
  status?: Array<OrderStatus> | null | undefined;
};

/** A line of a new order. */
export type OrderLineInput = {
  /** Units (1 to 10,000). */
  quantity: number;
  /** SKU. */
  sku: string;
  /** Price charged by the storefront; defaults to the variant's price. */
  unitPrice?: MoneyInput | null | undefined;
};

/** Where an order is in its lifecycle. */
export type OrderStatus =
  /** Stock is reserved for every line. */
  | 'ALLOCATED'
  /** Some lines wait for stock (allowBackorder). */
  | 'BACKORDERED'
  | 'CANCELLED'
  | 'DELIVERED'
  | 'PACKED'
  | 'PARTIALLY_SHIPPED'
  | 'PICKING'
  | 'SHIPPED';

/** Who a token belongs to. */
export type PrincipalKind =
  /** No token: public operations only. */
  | 'ANONYMOUS'
  /** A customer access token: sees only its own data. */
  | 'CUSTOMER'
  /** An API key of a partner system (ERP, marketplace, carrier, 3PL), optionally restricted. */
  | 'PARTNER'
  /** An API key of the store itself. */
  | 'STAFF';

/** Where a parcel is: the status of its latest carrier event by occurredAt. */
export type ShipmentStatus =
  /** Waiting at the pickup point. */
  | 'AT_PICKUP_POINT'
  | 'DELIVERED'
  | 'EXCEPTION'
  /** The courier could not deliver; another attempt follows. */
  | 'FAILED_ATTEMPT'
  | 'IN_TRANSIT'
  /** Label printed, waiting for the carrier. */
  | 'LABEL_CREATED'
  | 'OUT_FOR_DELIVERY'
  | 'RETURNED_TO_SENDER';

/** One carrier event. */
export type TrackingEventInput = {
  /** Description. */
  description?: string | null | undefined;
  /** The carrier's own id for the event, used to drop duplicates. */
  externalEventId: string;
  /** City-level place. */
  location?: string | null | undefined;
  /** When it happened; from 2000-01-01 (inclusive) to 2100-01-01 (exclusive), UTC, and at most a day ahead of the server clock. */
  occurredAt: string;
  /** Status the event reports. */
  status: ShipmentStatus;
  /** The parcel. */
  trackingNumber: string;
};

/** A batch of carrier events (all or nothing). */
export type TrackingEventsIngestInput = {
  /** The carrier reporting. */
  carrierCode: string;
  /** 1 to 1,000 events. */
  events: Array<TrackingEventInput>;
};

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { kind: PrincipalKind, name: string | null, scopes: Array<string>, warehouseCodes: Array<string> | null, carrierCodes: Array<string> | null } };

export type OrdersQueryVariables = Exact<{
  filter?: OrderFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type OrdersQuery = { orders: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, number: string, status: OrderStatus, channel: string, externalId: string | null, deliveryType: DeliveryType, createdAt: string, shippedAt: string | null, deliveredAt: string | null, subtotal: { amountMinor: number, currency: string }, shippingPrice: { amountMinor: number, currency: string }, discount: { amountMinor: number, currency: string }, total: { amountMinor: number, currency: string }, lines: Array<{ sku: string, quantity: number, allocatedQuantity: number, shippedQuantity: number, unitPrice: { amountMinor: number, currency: string } }>, shipments: Array<{ trackingNumber: string, trackingUrl: string, status: ShipmentStatus, carrier: { code: string, name: string } }>, events: Array<{ sequence: number, occurredAt: string, previousStatus: OrderStatus | null, status: OrderStatus, message: string | null }> }> } };

export type InventoryLevelsQueryVariables = Exact<{
  sku?: string | null | undefined;
  warehouseCode?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type InventoryLevelsQuery = { inventoryLevels: Array<{ onHand: number, allocated: number, available: number, incoming: number, warehouse: { code: string }, variant: { sku: string } }> };

export type ChannelStockSyncMutationVariables = Exact<{
  input: ChannelStockSyncInput;
}>;


export type ChannelStockSyncMutation = { channelStockSync: { updated: number, userErrors: Array<{ field: Array<string> | null, message: string, code: string }> } };

export type TrackingEventsIngestMutationVariables = Exact<{
  input: TrackingEventsIngestInput;
}>;


export type TrackingEventsIngestMutation = { trackingEventsIngest: { accepted: number, duplicates: number, userErrors: Array<{ field: Array<string> | null, message: string, code: string }> } };

export type MoneyFieldsFragment = { amountMinor: number, currency: string };

export type VariantFieldsFragment = { id: string, sku: string, title: string, gtin: string | null, weightGrams: number, price: { amountMinor: number, currency: string } };

export type ProductsQueryVariables = Exact<{
  query?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ProductsQuery = { products: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, title: string, description: string | null, category: string | null, variants: Array<{ id: string, sku: string, title: string, gtin: string | null, weightGrams: number, price: { amountMinor: number, currency: string } }> }> } };

export type ProductVariantQueryVariables = Exact<{
  sku: string;
}>;


export type ProductVariantQuery = { productVariant: { id: string, sku: string, title: string, gtin: string | null, weightGrams: number, product: { id: string, title: string }, price: { amountMinor: number, currency: string } } | null };

export type VariantStockQueryVariables = Exact<{
  sku: string;
}>;


export type VariantStockQuery = { productVariant: { sku: string, stock: { onHand: number, allocated: number, available: number, incoming: number } } | null };

export type DeliveryOptionsQueryVariables = Exact<{
  input: DeliveryOptionsInput;
}>;


export type DeliveryOptionsQuery = { deliveryOptions: Array<{ id: string, type: DeliveryType, estimatedDeliveryFrom: string, estimatedDeliveryTo: string, carrier: { code: string, name: string }, service: { code: string, name: string, transitDaysMin: number, transitDaysMax: number }, price: { amountMinor: number, currency: string }, pickupPoint: { code: string, distanceKm: number | null, availableCapacity: number } | null }> };

export type OrderSummaryFragment = { id: string, number: string, status: OrderStatus, channel: string, externalId: string | null, deliveryType: DeliveryType, createdAt: string, shippedAt: string | null, deliveredAt: string | null, subtotal: { amountMinor: number, currency: string }, shippingPrice: { amountMinor: number, currency: string }, discount: { amountMinor: number, currency: string }, total: { amountMinor: number, currency: string }, lines: Array<{ sku: string, quantity: number, allocatedQuantity: number, shippedQuantity: number, unitPrice: { amountMinor: number, currency: string } }>, shipments: Array<{ trackingNumber: string, trackingUrl: string, status: ShipmentStatus, carrier: { code: string, name: string } }>, events: Array<{ sequence: number, occurredAt: string, previousStatus: OrderStatus | null, status: OrderStatus, message: string | null }> };

export type OrderCreateMutationVariables = Exact<{
  input: OrderCreateInput;
}>;


export type OrderCreateMutation = { orderCreate: { order: { id: string, number: string, status: OrderStatus, channel: string, externalId: string | null, deliveryType: DeliveryType, createdAt: string, shippedAt: string | null, deliveredAt: string | null, subtotal: { amountMinor: number, currency: string }, shippingPrice: { amountMinor: number, currency: string }, discount: { amountMinor: number, currency: string }, total: { amountMinor: number, currency: string }, lines: Array<{ sku: string, quantity: number, allocatedQuantity: number, shippedQuantity: number, unitPrice: { amountMinor: number, currency: string } }>, shipments: Array<{ trackingNumber: string, trackingUrl: string, status: ShipmentStatus, carrier: { code: string, name: string } }>, events: Array<{ sequence: number, occurredAt: string, previousStatus: OrderStatus | null, status: OrderStatus, message: string | null }> } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: string }> } };

export type OrderCancelMutationVariables = Exact<{
  input: OrderCancelInput;
}>;


export type OrderCancelMutation = { orderCancel: { order: { id: string, number: string, status: OrderStatus } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: string }> } };

export type OrderQueryVariables = Exact<{
  id: string | number;
}>;


export type OrderQuery = { order: { id: string, number: string, status: OrderStatus, channel: string, externalId: string | null, deliveryType: DeliveryType, createdAt: string, shippedAt: string | null, deliveredAt: string | null, subtotal: { amountMinor: number, currency: string }, shippingPrice: { amountMinor: number, currency: string }, discount: { amountMinor: number, currency: string }, total: { amountMinor: number, currency: string }, lines: Array<{ sku: string, quantity: number, allocatedQuantity: number, shippedQuantity: number, unitPrice: { amountMinor: number, currency: string } }>, shipments: Array<{ trackingNumber: string, trackingUrl: string, status: ShipmentStatus, carrier: { code: string, name: string } }>, events: Array<{ sequence: number, occurredAt: string, previousStatus: OrderStatus | null, status: OrderStatus, message: string | null }> } | null };

export type OrderByNumberQueryVariables = Exact<{
  number: string;
}>;


export type OrderByNumberQuery = { orderByNumber: { id: string, number: string, status: OrderStatus, channel: string, externalId: string | null, deliveryType: DeliveryType, createdAt: string, shippedAt: string | null, deliveredAt: string | null, subtotal: { amountMinor: number, currency: string }, shippingPrice: { amountMinor: number, currency: string }, discount: { amountMinor: number, currency: string }, total: { amountMinor: number, currency: string }, lines: Array<{ sku: string, quantity: number, allocatedQuantity: number, shippedQuantity: number, unitPrice: { amountMinor: number, currency: string } }>, shipments: Array<{ trackingNumber: string, trackingUrl: string, status: ShipmentStatus, carrier: { code: string, name: string } }>, events: Array<{ sequence: number, occurredAt: string, previousStatus: OrderStatus | null, status: OrderStatus, message: string | null }> } | null };

export type TrackingQueryVariables = Exact<{
  trackingNumber: string;
}>;


export type TrackingQuery = { tracking: { trackingNumber: string, carrierName: string, status: ShipmentStatus, estimatedDeliveryFrom: string | null, estimatedDeliveryTo: string | null, destinationCity: string | null, events: Array<{ status: ShipmentStatus, occurredAt: string, location: string | null, description: string | null }> } | null };

export type OrderStatusChangedSubscriptionVariables = Exact<{
  orderId?: string | number | null | undefined;
  afterSequence?: number | null | undefined;
}>;


export type OrderStatusChangedSubscription = { orderStatusChanged: { order: { id: string, number: string, status: OrderStatus }, event: { sequence: number, occurredAt: string, previousStatus: OrderStatus | null, status: OrderStatus, message: string | null } } };

export type ShipmentTrackingSubscriptionVariables = Exact<{
  trackingNumber: string;
}>;


export type ShipmentTrackingSubscription = { shipmentTracking: { tracking: { trackingNumber: string, carrierName: string, status: ShipmentStatus, estimatedDeliveryFrom: string | null, estimatedDeliveryTo: string | null, destinationCity: string | null }, event: { status: ShipmentStatus, occurredAt: string, location: string | null, description: string | null } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const MoneyFieldsFragmentDoc = new TypedDocumentString(`
    fragment MoneyFields on Money {
  amountMinor
  currency
}
    `, {"fragmentName":"MoneyFields"}) as unknown as TypedDocumentString<MoneyFieldsFragment, unknown>;
export const VariantFieldsFragmentDoc = new TypedDocumentString(`
    fragment VariantFields on ProductVariant {
  id
  sku
  title
  gtin
  weightGrams
  price {
    ...MoneyFields
  }
}
    fragment MoneyFields on Money {
  amountMinor
  currency
}`, {"fragmentName":"VariantFields"}) as unknown as TypedDocumentString<VariantFieldsFragment, unknown>;
export const OrderSummaryFragmentDoc = new TypedDocumentString(`
    fragment OrderSummary on Order {
  id
  number
  status
  channel
  externalId
  deliveryType
  createdAt
  shippedAt
  deliveredAt
  subtotal {
    ...MoneyFields
  }
  shippingPrice {
    ...MoneyFields
  }
  discount {
    ...MoneyFields
  }
  total {
    ...MoneyFields
  }
  lines {
    sku
    quantity
    allocatedQuantity
    shippedQuantity
    unitPrice {
      ...MoneyFields
    }
  }
  shipments {
    trackingNumber
    trackingUrl
    status
    carrier {
      code
      name
    }
  }
  events {
    sequence
    occurredAt
    previousStatus
    status
    message
  }
}
    fragment MoneyFields on Money {
  amountMinor
  currency
}`, {"fragmentName":"OrderSummary"}) as unknown as TypedDocumentString<OrderSummaryFragment, unknown>;
export const ViewerDocument = new TypedDocumentString(`
    query Viewer {
  viewer {
    kind
    name
    scopes
    warehouseCodes
    carrierCodes
  }
}
    `) as unknown as TypedDocumentString<ViewerQuery, ViewerQueryVariables>;
export const OrdersDocument = new TypedDocumentString(`
    query Orders($filter: OrderFilter, $first: Int, $after: String) {
  orders(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      ...OrderSummary
    }
  }
}
    fragment MoneyFields on Money {
  amountMinor
  currency
}
fragment OrderSummary on Order {
  id
  number
  status
  channel
  externalId
  deliveryType
  createdAt
  shippedAt
  deliveredAt
  subtotal {
    ...MoneyFields
  }
  shippingPrice {
    ...MoneyFields
  }
  discount {
    ...MoneyFields
  }
  total {
    ...MoneyFields
  }
  lines {
    sku
    quantity
    allocatedQuantity
    shippedQuantity
    unitPrice {
      ...MoneyFields
    }
  }
  shipments {
    trackingNumber
    trackingUrl
    status
    carrier {
      code
      name
    }
  }
  events {
    sequence
    occurredAt
    previousStatus
    status
    message
  }
}`) as unknown as TypedDocumentString<OrdersQuery, OrdersQueryVariables>;
export const InventoryLevelsDocument = new TypedDocumentString(`
    query InventoryLevels($sku: String, $warehouseCode: String, $first: Int, $after: String) {
  inventoryLevels(
    sku: $sku
    warehouseCode: $warehouseCode
    first: $first
    after: $after
  ) {
    warehouse {
      code
    }
    variant {
      sku
    }
    onHand
    allocated
    available
    incoming
  }
}
    `) as unknown as TypedDocumentString<InventoryLevelsQuery, InventoryLevelsQueryVariables>;
export const ChannelStockSyncDocument = new TypedDocumentString(`
    mutation ChannelStockSync($input: ChannelStockSyncInput!) {
  channelStockSync(input: $input) {
    updated
    userErrors {
      field
      message
      code
    }
  }
}
    `) as unknown as TypedDocumentString<ChannelStockSyncMutation, ChannelStockSyncMutationVariables>;
export const TrackingEventsIngestDocument = new TypedDocumentString(`
    mutation TrackingEventsIngest($input: TrackingEventsIngestInput!) {
  trackingEventsIngest(input: $input) {
    accepted
    duplicates
    userErrors {
      field
      message
      code
    }
  }
}
    `) as unknown as TypedDocumentString<TrackingEventsIngestMutation, TrackingEventsIngestMutationVariables>;
export const ProductsDocument = new TypedDocumentString(`
    query Products($query: String, $first: Int, $after: String) {
  products(query: $query, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      title
      description
      category
      variants {
        ...VariantFields
      }
    }
  }
}
    fragment MoneyFields on Money {
  amountMinor
  currency
}
fragment VariantFields on ProductVariant {
  id
  sku
  title
  gtin
  weightGrams
  price {
    ...MoneyFields
  }
}`) as unknown as TypedDocumentString<ProductsQuery, ProductsQueryVariables>;
export const ProductVariantDocument = new TypedDocumentString(`
    query ProductVariant($sku: String!) {
  productVariant(sku: $sku) {
    ...VariantFields
    product {
      id
      title
    }
  }
}
    fragment MoneyFields on Money {
  amountMinor
  currency
}
fragment VariantFields on ProductVariant {
  id
  sku
  title
  gtin
  weightGrams
  price {
    ...MoneyFields
  }
}`) as unknown as TypedDocumentString<ProductVariantQuery, ProductVariantQueryVariables>;
export const VariantStockDocument = new TypedDocumentString(`
    query VariantStock($sku: String!) {
  productVariant(sku: $sku) {
    sku
    stock {
      onHand
      allocated
      available
      incoming
    }
  }
}
    `) as unknown as TypedDocumentString<VariantStockQuery, VariantStockQueryVariables>;
export const DeliveryOptionsDocument = new TypedDocumentString(`
    query DeliveryOptions($input: DeliveryOptionsInput!) {
  deliveryOptions(input: $input) {
    id
    type
    carrier {
      code
      name
    }
    service {
      code
      name
      transitDaysMin
      transitDaysMax
    }
    price {
      ...MoneyFields
    }
    estimatedDeliveryFrom
    estimatedDeliveryTo
    pickupPoint {
      code
      distanceKm
      availableCapacity
    }
  }
}
    fragment MoneyFields on Money {
  amountMinor
  currency
}`) as unknown as TypedDocumentString<DeliveryOptionsQuery, DeliveryOptionsQueryVariables>;
export const OrderCreateDocument = new TypedDocumentString(`
    mutation OrderCreate($input: OrderCreateInput!) {
  orderCreate(input: $input) {
    order {
      ...OrderSummary
    }
    userErrors {
      field
      message
      code
    }
  }
}
    fragment MoneyFields on Money {
  amountMinor
  currency
}
fragment OrderSummary on Order {
  id
  number
  status
  channel
  externalId
  deliveryType
  createdAt
  shippedAt
  deliveredAt
  subtotal {
    ...MoneyFields
  }
  shippingPrice {
    ...MoneyFields
  }
  discount {
    ...MoneyFields
  }
  total {
    ...MoneyFields
  }
  lines {
    sku
    quantity
    allocatedQuantity
    shippedQuantity
    unitPrice {
      ...MoneyFields
    }
  }
  shipments {
    trackingNumber
    trackingUrl
    status
    carrier {
      code
      name
    }
  }
  events {
    sequence
    occurredAt
    previousStatus
    status
    message
  }
}`) as unknown as TypedDocumentString<OrderCreateMutation, OrderCreateMutationVariables>;
export const OrderCancelDocument = new TypedDocumentString(`
    mutation OrderCancel($input: OrderCancelInput!) {
  orderCancel(input: $input) {
    order {
      id
      number
      status
    }
    userErrors {
      field
      message
      code
    }
  }
}
    `) as unknown as TypedDocumentString<OrderCancelMutation, OrderCancelMutationVariables>;
export const OrderDocument = new TypedDocumentString(`
    query Order($id: ID!) {
  order(id: $id) {
    ...OrderSummary
  }
}
    fragment MoneyFields on Money {
  amountMinor
  currency
}
fragment OrderSummary on Order {
  id
  number
  status
  channel
  externalId
  deliveryType
  createdAt
  shippedAt
  deliveredAt
  subtotal {
    ...MoneyFields
  }
  shippingPrice {
    ...MoneyFields
  }
  discount {
    ...MoneyFields
  }
  total {
    ...MoneyFields
  }
  lines {
    sku
    quantity
    allocatedQuantity
    shippedQuantity
    unitPrice {
      ...MoneyFields
    }
  }
  shipments {
    trackingNumber
    trackingUrl
    status
    carrier {
      code
      name
    }
  }
  events {
    sequence
    occurredAt
    previousStatus
    status
    message
  }
}`) as unknown as TypedDocumentString<OrderQuery, OrderQueryVariables>;
export const OrderByNumberDocument = new TypedDocumentString(`
    query OrderByNumber($number: String!) {
  orderByNumber(number: $number) {
    ...OrderSummary
  }
}
    fragment MoneyFields on Money {
  amountMinor
  currency
}
fragment OrderSummary on Order {
  id
  number
  status
  channel
  externalId
  deliveryType
  createdAt
  shippedAt
  deliveredAt
  subtotal {
    ...MoneyFields
  }
  shippingPrice {
    ...MoneyFields
  }
  discount {
    ...MoneyFields
  }
  total {
    ...MoneyFields
  }
  lines {
    sku
    quantity
    allocatedQuantity
    shippedQuantity
    unitPrice {
      ...MoneyFields
    }
  }
  shipments {
    trackingNumber
    trackingUrl
    status
    carrier {
      code
      name
    }
  }
  events {
    sequence
    occurredAt
    previousStatus
    status
    message
  }
}`) as unknown as TypedDocumentString<OrderByNumberQuery, OrderByNumberQueryVariables>;
export const TrackingDocument = new TypedDocumentString(`
    query Tracking($trackingNumber: String!) {
  tracking(trackingNumber: $trackingNumber) {
    trackingNumber
    carrierName
    status
    estimatedDeliveryFrom
    estimatedDeliveryTo
    destinationCity
    events {
      status
      occurredAt
      location
      description
    }
  }
}
    `) as unknown as TypedDocumentString<TrackingQuery, TrackingQueryVariables>;
export const OrderStatusChangedDocument = new TypedDocumentString(`
    subscription OrderStatusChanged($orderId: ID, $afterSequence: Int) {
  orderStatusChanged(orderId: $orderId, afterSequence: $afterSequence) {
    order {
      id
      number
      status
    }
    event {
      sequence
      occurredAt
      previousStatus
      status
      message
    }
  }
}
    `) as unknown as TypedDocumentString<OrderStatusChangedSubscription, OrderStatusChangedSubscriptionVariables>;
export const ShipmentTrackingDocument = new TypedDocumentString(`
    subscription ShipmentTracking($trackingNumber: String!) {
  shipmentTracking(trackingNumber: $trackingNumber) {
    tracking {
      trackingNumber
      carrierName
      status
      estimatedDeliveryFrom
      estimatedDeliveryTo
      destinationCity
    }
    event {
      status
      occurredAt
      location
      description
    }
  }
}
    `) as unknown as TypedDocumentString<ShipmentTrackingSubscription, ShipmentTrackingSubscriptionVariables>;