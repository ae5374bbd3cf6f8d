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
query FindProduct {
  products(first: 5, query: "Термокружка Fissman") {
    totalCount
    nodes { id title category variants { sku gtin title price { amountMinor currency } weightGrams } }
  }
}
`,
  },
  {
    query: `# Stock of one SKU over warehouses and bins (scope read_inventory); the SKU is in Variables below.
${AUTH_HINT}
query CheckStock($sku: String!) {
  productVariant(sku: $sku) {
    sku
    stock { onHand allocated available incoming levels { warehouse { code } onHand available bins { bin { code } quantity } } }
  }
}
`,
    variables: '{"sku": "WB-KIT-0036-1"}',
  },
  {
    query: `# Public: checkout delivery options (no key needed); an option's id is a signed quote orderCreate redeems.
query DeliveryOptions($sku: String!) {
  deliveryOptions(input: { currency: "RUB", lines: [{ sku: $sku, quantity: 1 }],
      destination: { line1: "ул. Тверская, 1", city: "Москва", region: "Москва", postalCode: "125009", countryCode: "RU", location: { lat: 55.76, lng: 37.61 } } }) {
    id type carrier { code name } service { code name } price { amountMinor currency }
    estimatedDeliveryFrom estimatedDeliveryTo pickupPoint { code distanceKm availableCapacity } shipsFrom { code }
  }
}
`,
    variables: '{"sku": "WB-KIT-0036-1"}',
  },
  {
    query: `# Public: a parcel's tracking (no key needed); put a tracking number into Variables below.
query Track($trackingNumber: String!) {
  tracking(trackingNumber: $trackingNumber) { status carrierName estimatedDeliveryTo destinationCity events { status occurredAt location } }
}
`,
    variables: '{"trackingNumber": "<a tracking number from the walkthrough\'s Ship step>"}',
  },
  {
    query: `# Live over graphql-ws (same endpoint): every product created from now on (scope read_catalog).
${AUTH_HINT}
subscription ProductCreated { productCreated { id title } }
`,
  },
];
