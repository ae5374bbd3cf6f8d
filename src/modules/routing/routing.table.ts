import { doublePrecision, index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn } from '../../db/columns.js';
import { warehouses } from '../warehouse/warehouse.table.js';

/** One stop of a stored route: times as ISO strings, the shipment when the stop is one of ours. */
export interface StoredRouteStop {
  stopId: string;
  shipmentId?: string | null;
  lat: number;
  lng: number;
  arrival: string;
  departure: string;
}

/**
 * A stop no vehicle serves in the plan, with why (the contract's `unassigned` lists the ids;
 * the reasons live here, in the same jsonb column, so no migration was needed).
 */
export interface StoredUnassignedStop {
  stopId: string;
  shipmentId?: string | null;
  lat: number;
  lng: number;
  /** DEMAND_EXCEEDS_CAPACITY, WINDOW_UNREACHABLE, SHIFT_TOO_SHORT or FLEET_EXHAUSTED. */
  reason: string;
  message: string;
}

export interface StoredRoute {
  vehicleId: string;
  stops: StoredRouteStop[];
  distanceKm: number;
  durationMinutes: number;
  load: number;
}

/** A solved plan for a warehouse's own couriers on one local date. */
export const routePlans = pgTable(
  'route_plans',
  {
    id: idColumn(),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    date: text('date').notNull(),
    routes: jsonb('routes').$type<StoredRoute[]>().notNull(),
    unassigned: jsonb('unassigned').$type<StoredUnassignedStop[]>().notNull(),
    vehiclesUsed: integer('vehicles_used').notNull(),
    totalDistanceKm: doublePrecision('total_distance_km').notNull(),
    totalDurationMinutes: doublePrecision('total_duration_minutes').notNull(),
    solveMs: integer('solve_ms').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('route_plans_warehouse_date_idx').on(t.warehouseId, t.date)],
);
