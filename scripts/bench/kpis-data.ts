/**
 * The KPI benchmark's store, written straight into PostgreSQL with INSERT … SELECT over
 * generate_series (the services create one order per transaction: hours for a million): 3
 * warehouses, 4 carriers with a service each, 200 variants, 100,000 customers and `orders` orders
 * placed uniformly over the 365 days before `end`, each with 1–3 lines, one fulfillment order (5%
 * split over two warehouses) with its lines, picked once shipped (pick lists per warehouse and two
 * hours, a pick scan per line by one of 12 pickers per warehouse, a pack scan per fulfillment order,
 * 2% and 1% refused scans), an outbound shipment per fulfillment order once shipped (label 2–72
 * hours after placing, cost by carrier and weight, estimate and delivery 1–6 days later, 85% on
 * time), its order events (CREATED, 4% BACKORDERED first, SHIPPED, DELIVERED), 3% cancelled,
 * 5% of delivered orders with a received return of one line. Deterministic (setseed).
 *
 * Written with session_replication_role = replica: no foreign-key checks or triggers fire (the
 * rows are consistent by construction), so the KPI read model is built afterwards by its own
 * rebuild, as after a migration on an existing store.
 */
/** Runs a statement and logs how long it took (`label: n.n s`). */
const timedStep =
  (exec: (text: string) => Promise<unknown>, log: (msg: string) => void = () => {}) =>
  async (label: string, text: string): Promise<void> => {
    const t0 = performance.now();
    await exec(text);
    log(`  ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };

export interface KpiDataOptions {
  orders: number;
  /** The end of the generated period (exclusive). */
  end: Date;
  /** Its length in days (365). */
  days?: number;
  customers?: number;
  /** setseed's argument in [-1, 1]. */
  seed?: number;
  /** Bulk mode (the benchmark): no foreign-key checks or triggers, then VACUUM ANALYZE; the read model is rebuilt by its first read. */
  bulk?: boolean;
  log?: (msg: string) => void;
}

/** `exec` runs one SQL statement (no parameters) and resolves when it is done: postgres.js `unsafe`, or drizzle `execute(sql.raw())` (PGlite too). */
export async function generateKpiData(exec: (text: string) => Promise<unknown>, o: KpiDataOptions): Promise<void> {
  const end = o.end.toISOString();
  const days = o.days ?? 365;
  const step = timedStep(exec, o.log);
  if (o.bulk) {
    await exec(`set session_replication_role = replica`);
    await exec(`set synchronous_commit = off`);
    await exec(`set work_mem = '256MB'`);
    await exec(`set maintenance_work_mem = '512MB'`);
  }
  await exec(`select setseed(${o.seed ?? 0.18})`);
  await step(
    'warehouses',
    `insert into warehouses (id, code, name, address) select gen_random_uuid(), 'W' || i, 'Warehouse ' || i, '{"city":"Москва"}'::jsonb from generate_series(1, 3) i`,
  );
  await step('carriers', `insert into carriers (id, code, name) select gen_random_uuid(), 'C' || i, 'Carrier ' || i from generate_series(1, 4) i`);
  await step(
    'carrier services',
    `insert into carrier_services (id, carrier_id, code, name, delivery_type, transit_days_min, transit_days_max, volumetric_divisor, max_weight_grams, position)
     select gen_random_uuid(), c.id, c.code || '-STD', 'Standard', 'COURIER', 1, 6, 5000, 30000, 0 from carriers c`,
  );
  await step('products', `insert into products (id, title) select gen_random_uuid(), 'Product ' || i from generate_series(1, 50) i`);
  await step(
    'variants',
    `insert into product_variants (id, product_id, sku, title, price_minor, currency, weight_grams, position)
     select gen_random_uuid(), p.id, 'SKU-' || p.title || '-' || v, p.title || ' ' || v, (500 + (random() * 9500)::int) * 100, 'RUB', 100 + (random() * 4900)::int, v
     from products p cross join generate_series(1, 4) v`,
  );
  await step(
    'customers',
    `insert into customers (id, email, name) select gen_random_uuid(), 'kpi.' || i || '@bench.example.com', 'Покупатель ' || i from generate_series(1, ${o.customers ?? 100000}) i`,
  );
  await exec(`create temporary table kw as select row_number() over (order by code)::int as n, id from warehouses`);
  await exec(`create temporary table kc as select row_number() over (order by c.code)::int as n, c.id, s.id as service_id from carriers c join carrier_services s on s.carrier_id = c.id`);
  await exec(`create temporary table kv as select row_number() over (order by sku)::int as n, id, sku, title, price_minor from product_variants`);
  await exec(`create temporary table kcu as select row_number() over (order by email)::int as n, id from customers`);
  // One row per order with every random draw the other tables derive from.
  await step(
    'plan',
    `create temporary table g as
     select i, gen_random_uuid() as id, gen_random_uuid() as fo1, gen_random_uuid() as fo2, gen_random_uuid() as s1, gen_random_uuid() as s2,
       created_at, channel, wh, split, (wh % 3) + 1 as wh2, carrier, nlines, cancelled, backordered,
       ship_h, transit_h, late,
       created_at + make_interval(secs => ship_h * 3600) as labelled_at,
       created_at + make_interval(secs => (ship_h + transit_h) * 3600) as delivered_at,
       created_at + make_interval(secs => (ship_h + transit_h + case when late then -12 - r1 * 36 else 6 + r1 * 30 end) * 3600) as estimated_to,
       returned, 1 + (i % ${o.customers ?? 100000}) as customer
     from (
       select i, timestamptz '${end}' - make_interval(secs => random() * ${days} * 86400) as created_at,
         (array['web', 'web', 'web', 'app', 'app', 'marketplace'])[1 + floor(random() * 6)::int] as channel,
         1 + floor(random() * 3)::int as wh, random() < 0.05 as split,
         1 + floor(random() * 4)::int as carrier, 1 + floor(random() * 3)::int as nlines,
         random() < 0.03 as cancelled, random() < 0.04 as backordered,
         2 + random() * random() * 70 as ship_h, 20 + random() * 120 as transit_h, random() < 0.15 as late,
         random() < 0.05 as returned, random() as r1
       from generate_series(1, ${o.orders}) i) x`,
  );
  await exec(`analyze g`);
  const NOW = `timestamptz '${end}'`;
  await step(
    'orders',
    `insert into orders (id, number, channel, status, customer_id, shipping_address, delivery_type, currency, subtotal_minor, shipping_minor, total_minor, created_at, shipped_at, delivered_at, cancelled_at, last_sequence)
     select g.id, 'K' || g.i, g.channel,
       case when g.cancelled then 'CANCELLED' when g.delivered_at < ${NOW} then 'DELIVERED' when g.labelled_at < ${NOW} then 'SHIPPED' when g.backordered then 'BACKORDERED' else 'ALLOCATED' end,
       cu.id, '{"city":"Москва","countryCode":"RU"}'::jsonb, 'COURIER', 'RUB', t.sub, 30000, t.sub + 30000, g.created_at,
       case when not g.cancelled and g.labelled_at < ${NOW} then g.labelled_at end,
       case when not g.cancelled and g.delivered_at < ${NOW} then g.delivered_at end,
       case when g.cancelled then g.created_at + interval '1 hour' end, 1
     from g join kcu cu on cu.n = g.customer
       cross join lateral (select sum((1 + ((g.i * 7 + l * 13) % 3)) * v.price_minor)::int as sub
         from generate_series(1, g.nlines) l join kv v on v.n = 1 + ((g.i * 31 + l * 17) % 200)) t`,
  );
  await step(
    'order lines',
    `insert into order_lines (id, order_id, variant_id, sku, title, quantity, unit_price_minor, allocated_quantity, shipped_quantity, position, allocated_at_creation)
     select gen_random_uuid(), g.id, v.id, v.sku, v.title, q, v.price_minor,
       case when g.cancelled then 0 else q end,
       case when not g.cancelled and g.labelled_at < ${NOW} then q else 0 end, l,
       case when g.backordered then q - 1 else q end
     from g cross join generate_series(1, 3) l
       cross join lateral (select 1 + ((g.i * 7 + l * 13) % 3) as q) qq
       join kv v on v.n = 1 + ((g.i * 31 + l * 17) % 200)
     where l <= g.nlines`,
  );
  await step(
    'fulfillment orders',
    `insert into fulfillment_orders (id, order_id, warehouse_id, status, created_at, packed_at)
     select f.id, g.id, w.id,
       case when g.cancelled then 'CANCELLED' when g.labelled_at < ${NOW} then 'SHIPPED' else 'OPEN' end, g.created_at,
       case when not g.cancelled and g.labelled_at < ${NOW} then g.labelled_at - interval '20 minutes' end
     from g cross join lateral (values (g.fo1, g.wh, true), (g.fo2, g.wh2, g.split)) f(id, wn, present)
       join kw w on w.n = f.wn
     where f.present`,
  );
  await step(
    'fulfillment lines',
    `insert into fulfillment_lines (id, fulfillment_order_id, order_line_id, variant_id, quantity, picked_quantity)
     select gen_random_uuid(), case when g.split and g.nlines > 1 and ol.position = 1 then g.fo2 else g.fo1 end, ol.id, ol.variant_id, ol.quantity,
       case when not g.cancelled and g.labelled_at < ${NOW} then ol.quantity else 0 end
     from g join order_lines ol on ol.order_id = g.id`,
  );
  // Picking: one pick list per warehouse and two-hour slot of the labels; a pick scan per line
  // picked, by one of 12 pickers per warehouse, in the hour before the label (2% of lines with a
  // refused scan first); a pack scan per shipped fulfillment order (1% refused first).
  await step(
    'pick lists',
    `insert into pick_lists (id, warehouse_id, status, completed_at, created_at)
     select gen_random_uuid(), w.id, 'COMPLETED', s.slot + interval '2 hours', s.slot
     from (select distinct fo.warehouse_id, date_bin('2 hours', g.labelled_at - interval '1 hour', timestamptz '2000-01-01') as slot
       from g join fulfillment_orders fo on fo.order_id = g.id where not g.cancelled and g.labelled_at < ${NOW}) s
     join warehouses w on w.id = s.warehouse_id`,
  );
  await exec(`create temporary table kpl as select id, warehouse_id, created_at as slot from pick_lists`);
  await exec(`create index on kpl (warehouse_id, slot)`);
  await step(
    'pick list orders',
    `insert into pick_list_orders (pick_list_id, fulfillment_order_id)
     select pl.id, fo.id from g join fulfillment_orders fo on fo.order_id = g.id
       join kpl pl on pl.warehouse_id = fo.warehouse_id and pl.slot = date_bin('2 hours', g.labelled_at - interval '1 hour', timestamptz '2000-01-01')
     where not g.cancelled and g.labelled_at < ${NOW}`,
  );
  await step(
    'pick scans',
    `insert into warehouse_scans (id, warehouse_id, kind, actor, pick_list_id, variant_id, bin_barcode, item_barcode, quantity, matched, error_code, scanned_at)
     select gen_random_uuid(), fo.warehouse_id, 'PICK', 'picker-' || wn.n || '-' || (1 + (g.i % 12)), plo.pick_list_id, fl.variant_id, 'B-1', 'I-' || fl.variant_id,
       case when r.refused then 1 else fl.picked_quantity end, not r.refused, case when r.refused then 'WRONG_BIN_SCANNED' end,
       g.labelled_at - interval '1 hour' + make_interval(secs => ol.position * 40 + case when r.refused then -20 else 0 end)
     from g join order_lines ol on ol.order_id = g.id join fulfillment_lines fl on fl.order_line_id = ol.id
       join fulfillment_orders fo on fo.id = fl.fulfillment_order_id join kw wn on wn.id = fo.warehouse_id
       join pick_list_orders plo on plo.fulfillment_order_id = fo.id
       cross join lateral (values (false), (true)) r(refused)
     where fl.picked_quantity > 0 and (not r.refused or (g.i * 7 + ol.position) % 50 = 0)`,
  );
  await step(
    'pack scans',
    `insert into warehouse_scans (id, warehouse_id, kind, actor, fulfillment_order_id, item_barcode, quantity, matched, error_code, scanned_at)
     select gen_random_uuid(), fo.warehouse_id, 'PACK', 'packer-' || wn.n || '-' || (1 + (g.i % 4)), fo.id, 'I-' || fo.id, 1, not r.refused,
       case when r.refused then 'PACK_MISMATCH' end, fo.packed_at - case when r.refused then interval '1 minute' else interval '0' end
     from g join fulfillment_orders fo on fo.order_id = g.id join kw wn on wn.id = fo.warehouse_id
       cross join lateral (values (false), (true)) r(refused)
     where fo.packed_at is not null and (not r.refused or g.i % 100 = 0)`,
  );
  await step(
    'shipments',
    `insert into shipments (id, order_id, fulfillment_order_id, carrier_id, service_id, tracking_number, status, cost_minor, currency, weight_grams, parcel, label_format, label_content,
       estimated_delivery_from, estimated_delivery_to, created_at, delivered_at, direction)
     select f.sid, g.id, f.fo, c.id, c.service_id, 'TRK' || g.i || '-' || f.k,
       case when g.delivered_at < ${NOW} then 'DELIVERED' else 'IN_TRANSIT' end,
       (15000 + c.n * 4000 + (g.i % 97) * 100 + f.k * 2500)::int, 'RUB', 1000 + (g.i % 50) * 100, '{}'::jsonb, 'PDF', '',
       g.estimated_to - interval '2 days', g.estimated_to,
       g.labelled_at + make_interval(secs => (f.k - 1) * 5400),
       case when g.delivered_at < ${NOW} then g.delivered_at + make_interval(secs => (f.k - 1) * 5400) end, 'OUTBOUND'
     from g cross join lateral (values (g.s1, g.fo1, 1, g.carrier, true), (g.s2, g.fo2, 2, 1 + (g.carrier % 4), g.split)) f(sid, fo, k, cn, present)
       join kc c on c.n = f.cn
     where f.present and not g.cancelled and g.labelled_at < ${NOW}`,
  );
  await step(
    'order events',
    `insert into order_events (order_id, sequence, status, previous_status, occurred_at)
     select g.id, e.seq, e.status, e.prev, e.at
     from g cross join lateral (values
       (1, case when g.backordered then 'BACKORDERED' else 'ALLOCATED' end, null::text, g.created_at, true),
       (2, 'ALLOCATED', 'BACKORDERED', g.created_at + interval '30 hours', g.backordered and not g.cancelled),
       (3, 'CANCELLED', case when g.backordered then 'BACKORDERED' else 'ALLOCATED' end, g.created_at + interval '1 hour', g.cancelled),
       (4, 'SHIPPED', 'PACKED', g.labelled_at, not g.cancelled and g.labelled_at < ${NOW}),
       (5, 'DELIVERED', 'SHIPPED', g.delivered_at, not g.cancelled and g.delivered_at < ${NOW})) e(seq, status, prev, at, present)
     where e.present`,
  );
  await step(
    'return requests',
    `insert into return_requests (id, number, order_id, customer_id, warehouse_id, status, currency, received_at, created_at)
     select gen_random_uuid(), 'R' || g.i, g.id, o.customer_id, w.id, 'RECEIVED', 'RUB', g.delivered_at + interval '5 days', g.delivered_at + interval '2 days'
     from g join orders o on o.id = g.id join kw w on w.n = g.wh
     where g.returned and not g.cancelled and g.delivered_at + interval '5 days' < ${NOW}`,
  );
  await step(
    'return lines',
    `insert into return_lines (id, return_request_id, order_line_id, variant_id, quantity, reason, received_quantity, position)
     select gen_random_uuid(), rr.id, ol.id, ol.variant_id, ol.quantity, 'CHANGED_MIND', ol.quantity, 1
     from return_requests rr join order_lines ol on ol.order_id = rr.order_id and ol.position = 1`,
  );
  for (const t of ['kw', 'kc', 'kv', 'kcu', 'kpl', 'g']) await exec(`drop table ${t}`);
  if (o.bulk) {
    await exec(`set session_replication_role = origin`);
    await step('vacuum analyze', `vacuum analyze`);
  }
}

/**
 * The store's inventory ledger (`npm run bench:kpis -- --ledger`): a pick zone and one bin per
 * variant in each warehouse, one supplier with a preferred supplier product per variant (cost 60%
 * of the price), a weekly RECEIPT per bin topping it up to what the next week ships plus a margin
 * (so bins empty now and then: stockouts), and a SHIPMENT movement per fulfillment line shipped,
 * at its label time, from its variant's bin. On the data generateKpiData wrote; run once.
 */
export async function generateKpiLedger(exec: (text: string) => Promise<unknown>, o: { end: Date; days?: number; log?: (msg: string) => void; bulk?: boolean }): Promise<void> {
  const end = o.end.toISOString();
  const days = o.days ?? 365;
  const bulk = o.bulk ?? true;
  const step = timedStep(exec, o.log);
  if (bulk) {
    // Triggers off (the KPI read model's included: it is rebuilt below), no vacuum inside a transaction.
    await exec(`set session_replication_role = replica`);
    await exec(`set synchronous_commit = off`);
    await exec(`set work_mem = '256MB'`);
  }
  await step('zones', `insert into zones (id, warehouse_id, code, name, kind, distance_rank) select gen_random_uuid(), id, 'P', 'Pick', 'PICK', 0 from warehouses`);
  await step(
    'bins',
    `insert into bin_locations (id, warehouse_id, zone_id, code, barcode, pick_sequence)
     select gen_random_uuid(), w.id, z.id, 'B-' || v.sku, w.code || '-B-' || v.sku, row_number() over (partition by w.id order by v.sku)::int
     from warehouses w join zones z on z.warehouse_id = w.id cross join product_variants v`,
  );
  await step('supplier', `insert into suppliers (id, code, name, currency, lead_time_days) values (gen_random_uuid(), 'S1', 'Supplier 1', 'RUB', 7)`);
  await step(
    'supplier products',
    `insert into supplier_products (supplier_id, variant_id, unit_cost_minor, preferred) select s.id, v.id, (v.price_minor * 0.6)::int, true from suppliers s cross join product_variants v where s.code = 'S1'`,
  );
  await exec(`create temporary table kbin as select b.id, b.warehouse_id, v.id as variant_id from bin_locations b join product_variants v on b.code = 'B-' || v.sku`);
  await exec(`create index on kbin (warehouse_id, variant_id)`);
  await step(
    'shipment movements',
    `insert into inventory_movements (id, variant_id, warehouse_id, bin_id, quantity_delta, reason, reference, created_at)
     select gen_random_uuid(), fl.variant_id, fo.warehouse_id, b.id, -fl.picked_quantity, 'SHIPMENT', s.tracking_number, s.created_at
     from fulfillment_lines fl join fulfillment_orders fo on fo.id = fl.fulfillment_order_id
       join shipments s on s.fulfillment_order_id = fo.id and s.direction = 'OUTBOUND'
       join kbin b on b.warehouse_id = fo.warehouse_id and b.variant_id = fl.variant_id
     where fl.picked_quantity > 0`,
  );
  // Weekly receipts: what the bin ships in the coming week, times 0.9–1.3 (an opening stock first).
  const start = `timestamptz '${end}' - interval '${days + 7} days'`;
  await exec(`create temporary table kship as select bin_id, date_bin('7 days', created_at, ${start}) as wk, sum(-quantity_delta) as shipped
    from inventory_movements where reason = 'SHIPMENT' group by 1, 2`);
  await exec(`create index on kship (bin_id, wk)`);
  await step(
    'receipt movements',
    `insert into inventory_movements (id, variant_id, warehouse_id, bin_id, quantity_delta, reason, reference, created_at)
     select gen_random_uuid(), b.variant_id, b.warehouse_id, b.id, greatest(1, ceil(coalesce(w.shipped, 0) * (0.9 + random() * 0.4)))::int, 'RECEIPT', 'PO-bench', wk.t
     from kbin b cross join generate_series(${start}, timestamptz '${end}' - interval '1 day', interval '7 days') wk(t)
       left join kship w on w.bin_id = b.id and w.wk = wk.t`,
  );
  await exec(`drop table kship`);
  await exec(`drop table kbin`);
  if (bulk) {
    await exec(`set session_replication_role = origin`);
    // Written with the triggers off: the next refresh rebuilds the KPI read model.
    await exec(`update kpi_state set time_zone = ''`);
    await step('vacuum analyze', `vacuum analyze inventory_movements`);
  }
}
