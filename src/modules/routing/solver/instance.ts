/**
 * Problem model and file parsers for the route optimisation solver.
 *
 * The model is deliberately general (heterogeneous vehicles, each with its own
 * capacity, shift and start/end depot) even though the benchmark sets are
 * homogeneous: the API will feed real fleets into the same solver.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** One vehicle of the fleet. Depots are node indices of the instance. */
export interface VrpVehicle {
  capacity: number;
  /** Earliest time the vehicle may leave its start depot. */
  shiftStart: number;
  /** Latest time the vehicle may arrive at its end depot. */
  shiftEnd: number;
  startDepot: number;
  endDepot: number;
}

/** How edge costs (and travel times) are derived from coordinates. */
export type DistanceRounding = 'none' | 'nint';

/**
 * A capacitated VRP with time windows over nodes 0..n-1. Depot nodes are the
 * ones referenced by vehicles; every other node is a customer that must be
 * visited exactly once. Travel time equals distance.
 *
 * Plain data (typed arrays + arrays) so it can cross a worker_thread boundary
 * via structured clone.
 */
export interface VrpInstance {
  name: string;
  /** Source format, informational. */
  format: 'solomon' | 'cvrplib' | 'custom';
  /** Number of nodes (depots + customers). */
  n: number;
  x: Float64Array;
  y: Float64Array;
  demand: Float64Array;
  /** Earliest service start. */
  ready: Float64Array;
  /** Latest service start (Solomon convention); for a depot: latest return. */
  due: Float64Array;
  service: Float64Array;
  /** Node ids as written in the source file (for output). */
  labels: number[];
  /** Indices of the customer nodes (all nodes that are not depots). */
  customers: number[];
  vehicles: VrpVehicle[];
  rounding: DistanceRounding;
  /**
   * Optional explicit travel-time matrix (row-major n×n), for inputs whose
   * metric is not Euclidean (road distances, haversine × detour on geo
   * input). When present the solver uses it instead of x/y; x/y stay
   * informational. Travel time still equals cost.
   */
  matrix?: Float64Array;
}

function splitNumbers(line: string): number[] {
  return line
    .trim()
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .map(Number);
}

/**
 * Parses the original Solomon VRPTW text format (name, VEHICLE block, then one
 * row per customer; customer 0 is the depot).
 */
export function parseSolomon(text: string, fallbackName = 'solomon'): VrpInstance {
  const lines = text.split(/\r?\n/);
  const name = lines.find((l) => l.trim().length > 0)?.trim() ?? fallbackName;
  let vehicleCount = 0;
  let capacity = 0;
  const rows: number[][] = [];
  let section: 'none' | 'vehicle' | 'customer' = 'none';
  for (const raw of lines) {
    const line = raw.trim();
    if (line.length === 0) continue;
    const upper = line.toUpperCase();
    if (upper.startsWith('VEHICLE')) {
      section = 'vehicle';
      continue;
    }
    if (upper.startsWith('CUSTOMER')) {
      section = 'customer';
      continue;
    }
    if (!/^[-\d.]/.test(line)) continue; // header lines
    const nums = splitNumbers(line);
    if (nums.some((v) => Number.isNaN(v))) continue;
    if (section === 'vehicle' && nums.length >= 2) {
      vehicleCount = nums[0];
      capacity = nums[1];
    } else if (section === 'customer' && nums.length >= 7) {
      rows.push(nums);
    }
  }
  if (rows.length < 2) throw new Error('Solomon file: no customer rows found');
  if (vehicleCount <= 0 || capacity <= 0) throw new Error('Solomon file: no VEHICLE block');
  const n = rows.length;
  const inst = emptyInstance(name, 'solomon', n, 'none');
  rows.forEach((r, i) => {
    inst.labels[i] = r[0];
    inst.x[i] = r[1];
    inst.y[i] = r[2];
    inst.demand[i] = r[3];
    inst.ready[i] = r[4];
    inst.due[i] = r[5];
    inst.service[i] = r[6];
  });
  inst.customers = range(1, n);
  const depotOpen = inst.ready[0];
  const depotClose = inst.due[0];
  for (let v = 0; v < vehicleCount; v++) {
    inst.vehicles.push({ capacity, shiftStart: depotOpen, shiftEnd: depotClose, startDepot: 0, endDepot: 0 });
  }
  return inst;
}

/**
 * Parses a CVRPLIB/TSPLIB CVRP file (EUC_2D, NODE_COORD_SECTION,
 * DEMAND_SECTION, DEPOT_SECTION). Edge costs are TSPLIB nearest integers.
 * The fleet is unbounded in practice: one vehicle per customer, so any number
 * of routes is allowed (CVRPLIB BKS are distance-only).
 */
export function parseCvrplib(text: string, fallbackName = 'cvrp'): VrpInstance {
  const lines = text.split(/\r?\n/);
  const header = new Map<string, string>();
  const coords: number[][] = [];
  const demands = new Map<number, number>();
  const depots: number[] = [];
  let section = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (line.length === 0) continue;
    if (/^[A-Z_]+\s*:/.test(line)) {
      const idx = line.indexOf(':');
      header.set(line.slice(0, idx).trim().toUpperCase(), line.slice(idx + 1).trim());
      section = '';
      continue;
    }
    if (/^[A-Z_]+$/.test(line)) {
      section = line;
      if (line === 'EOF') break;
      continue;
    }
    const nums = splitNumbers(line);
    if (section === 'NODE_COORD_SECTION') coords.push(nums);
    else if (section === 'DEMAND_SECTION') demands.set(nums[0], nums[1]);
    else if (section === 'DEPOT_SECTION') {
      if (nums[0] === -1) section = '';
      else depots.push(nums[0]);
    }
  }
  const type = header.get('EDGE_WEIGHT_TYPE') ?? 'EUC_2D';
  if (type !== 'EUC_2D') throw new Error(`CVRPLIB: unsupported EDGE_WEIGHT_TYPE ${type}`);
  const capacity = Number(header.get('CAPACITY'));
  if (!(capacity > 0)) throw new Error('CVRPLIB: missing CAPACITY');
  if (coords.length < 2) throw new Error('CVRPLIB: missing NODE_COORD_SECTION');
  if (depots.length === 0) depots.push(coords[0][0]);
  const n = coords.length;
  const inst = emptyInstance(header.get('NAME') ?? fallbackName, 'cvrplib', n, 'nint');
  const indexOfId = new Map<number, number>();
  coords.forEach((c, i) => {
    inst.labels[i] = c[0];
    inst.x[i] = c[1];
    inst.y[i] = c[2];
    inst.demand[i] = demands.get(c[0]) ?? 0;
    inst.ready[i] = 0;
    inst.due[i] = Number.POSITIVE_INFINITY;
    inst.service[i] = 0;
    indexOfId.set(c[0], i);
  });
  const depotIdx = depots.map((id) => {
    const i = indexOfId.get(id);
    if (i === undefined) throw new Error(`CVRPLIB: unknown depot ${id}`);
    return i;
  });
  const depotSet = new Set(depotIdx);
  inst.customers = range(0, n).filter((i) => !depotSet.has(i));
  const depot = depotIdx[0];
  for (let v = 0; v < inst.customers.length; v++) {
    inst.vehicles.push({
      capacity,
      shiftStart: 0,
      shiftEnd: Number.POSITIVE_INFINITY,
      startDepot: depot,
      endDepot: depot,
    });
  }
  return inst;
}

/**
 * Parses either format, detected from the content (TSPLIB headers vs the
 * Solomon VEHICLE/CUSTOMER blocks), falling back to the file extension.
 */
export function parseInstance(text: string, fileName = 'instance'): VrpInstance {
  const base = basename(fileName).replace(/\.[^.]+$/, '');
  if (/NODE_COORD_SECTION/.test(text) || /\.vrp$/i.test(fileName)) return parseCvrplib(text, base);
  return parseSolomon(text, base);
}

/** Reads and parses an instance file (Solomon .txt or CVRPLIB .vrp). */
export function readInstanceFile(path: string): VrpInstance {
  return parseInstance(readFileSync(path, 'utf8'), path);
}

/** Allocates an instance with zeroed arrays; callers fill nodes and vehicles. */
export function emptyInstance(
  name: string,
  format: VrpInstance['format'],
  n: number,
  rounding: DistanceRounding,
): VrpInstance {
  return {
    name,
    format,
    n,
    x: new Float64Array(n),
    y: new Float64Array(n),
    demand: new Float64Array(n),
    ready: new Float64Array(n),
    due: new Float64Array(n).fill(Number.POSITIVE_INFINITY),
    service: new Float64Array(n),
    labels: range(0, n),
    customers: [],
    vehicles: [],
    rounding,
  };
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}
