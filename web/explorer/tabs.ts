/**
 * The explorer's saved tabs: examples from the README (README.md, "Using the API"), in one place so
 * that a rewrite of the README updates them here too. Each is named (the name is the tab's title);
 * test/e2e/explorer-page.test.ts checks that every query below, without its `#` comment lines and
 * operation keyword and name, still appears in the README.
 */
export interface ExampleTab {
  /** The query editor's text: `#` comment lines that say what it needs, then the README's example. */
  query: string;
  /** The variables editor's text (JSON), if the example has variables. */
  variables?: string;
}

const AUTH_HINT = '# Put your key in Headers below: {"Authorization": "Bearer wb_live_…"} (per tab; never stored).';

export const EXAMPLE_TABS: ExampleTab[] = [
  {
    query: `# Products matching a search (scope read_catalog).
${AUTH_HINT}
query SearchProducts { products(first: 10, query: "trail") { totalCount nodes { title variants { sku gtin } } pageInfo { endCursor hasNextPage } } }
`,
  },
  {
    query: `# Stock of one SKU over warehouses, bins and channels (scope read_inventory).
${AUTH_HINT}
query VariantStock { productVariant(sku: "TRAIL-42") { stock { onHand allocated available incoming levels { warehouse { code } onHand bins { bin { code } quantity } } channels { channel quantity } } } }
`,
  },
  {
    query: `# Public: checkout delivery options (no key needed); an option's id is a signed quote orderCreate redeems.
query DeliveryOptions { deliveryOptions(input: { currency: "RUB", lines: [{ sku: "TRAIL-42", quantity: 1 }],
    destination: { line1: "ул. Тверская, 1", city: "Москва", postalCode: "125009", countryCode: "RU", location: { lat: 55.76, lng: 37.61 } } }) {
  id type carrier { name } service { code } price { amountMinor currency } estimatedDeliveryFrom estimatedDeliveryTo
  pickupPoint { code distanceKm availableCapacity } shipsFrom { code } } }
`,
  },
  {
    query: `# Public: a parcel's tracking (no key needed).
query Tracking { tracking(trackingNumber: "CC123456785RU") { status carrierName estimatedDeliveryTo destinationCity events { status occurredAt location } } }
`,
  },
  {
    query: `# Live over graphql-ws (same endpoint): every product created from now on (scope read_catalog).
${AUTH_HINT}
subscription ProductCreated { productCreated { id title } }
`,
  },
];
