/**
 * Parcel estimation, pure: which carton the items of a shipment go into, what the parcel weighs and
 * measures, and what a carrier charges it as (volumetric vs actual weight).
 *
 * Fitting is an estimate, not 3D bin packing: a box fits when (1) its volume times a fill factor
 * holds the summed item volume, (2) each item fits in it on its own, compared side by side after
 * sorting both the box's and the item's sides longest first (so items may be rotated), and (3) the
 * gross weight (items + empty box) is within the box's limit. Real packing of awkward mixes can
 * need a bigger box; the fill factor (default 0.8) is the allowance for that.
 *
 * A box's sides are used both as its inner size (for fitting) and as the parcel's outer size (for
 * charging): the wall thickness of a carton (3-5 mm) is below the precision of the estimate.
 */

export interface Box {
  code: string;
  lengthMm: number;
  widthMm: number;
  heightMm: number;
  /** empty box weight */
  tareGrams: number;
  maxWeightGrams: number;
}

/**
 * A typical corrugated carton range (FEFCO 0201 style, single wall for the small ones, double wall
 * from L up). `maxWeightGrams` is the gross weight limit (contents + box), as on a box maker's
 * certificate. Ordered by volume.
 */
export const DEFAULT_BOXES: readonly Box[] = Object.freeze(
  [
    { code: 'MAILER_XS', lengthMm: 200, widthMm: 150, heightMm: 100, tareGrams: 80, maxWeightGrams: 3_000 }, //  3.0 l
    { code: 'FLAT_A4', lengthMm: 350, widthMm: 250, heightMm: 50, tareGrams: 70, maxWeightGrams: 2_000 }, //  4.4 l, documents, apparel
    { code: 'BOX_S', lengthMm: 250, widthMm: 200, heightMm: 150, tareGrams: 130, maxWeightGrams: 5_000 }, //  7.5 l
    { code: 'BOX_M', lengthMm: 300, widthMm: 250, heightMm: 200, tareGrams: 200, maxWeightGrams: 10_000 }, // 15.0 l
    { code: 'BOX_L', lengthMm: 400, widthMm: 300, heightMm: 250, tareGrams: 350, maxWeightGrams: 15_000 }, // 30.0 l
    { code: 'BOX_XL', lengthMm: 500, widthMm: 400, heightMm: 300, tareGrams: 520, maxWeightGrams: 20_000 }, // 60.0 l
    { code: 'BOX_XXL', lengthMm: 600, widthMm: 400, heightMm: 400, tareGrams: 700, maxWeightGrams: 25_000 }, // 96.0 l
  ].map((b: Box) => Object.freeze(b)),
);

export interface ParcelItem {
  weightGrams: number;
  lengthMm: number | null;
  widthMm: number | null;
  heightMm: number | null;
  quantity: number;
}

export interface Parcel {
  weightGrams: number;
  lengthMm: number;
  widthMm: number;
  heightMm: number;
  box: string | null;
}

/**
 * Size assumed for an item with any dimension missing: a small boxed product (a phone case, a
 * cosmetics jar). Catalogue data is often incomplete; assuming a size keeps such items from
 * counting as zero volume, which would pack any number of them into the smallest box.
 */
export const DEFAULT_ITEM_DIMENSIONS_MM: readonly [number, number, number] = Object.freeze([100, 100, 50]) as readonly [number, number, number];

export const DEFAULT_FILL_FACTOR = 0.8;

type Sides = [number, number, number];

/** Sides sorted longest first. */
export function sortedSides(l: number, w: number, h: number): Sides {
  return [l, w, h].sort((a, b) => b - a) as Sides;
}

/** The item's sides (longest first), or the default size when any side is unknown. */
export function itemSides(item: ParcelItem): Sides {
  const { lengthMm: l, widthMm: w, heightMm: h } = item;
  if (l == null || w == null || h == null) return sortedSides(...DEFAULT_ITEM_DIMENSIONS_MM);
  return sortedSides(l, w, h);
}

export function boxVolumeMm3(b: { lengthMm: number; widthMm: number; heightMm: number }): number {
  return b.lengthMm * b.widthMm * b.heightMm;
}

/** What the items need of a box: total volume, total weight and the largest single item's sides. */
export interface ItemsEnvelope {
  volumeMm3: number;
  weightGrams: number;
  /** Per rank, the largest side over all items (longest, middle, shortest). */
  maxSides: Sides;
}

export function itemsEnvelope(items: readonly ParcelItem[]): ItemsEnvelope {
  let volumeMm3 = 0;
  let weightGrams = 0;
  const maxSides: Sides = [0, 0, 0];
  for (const item of items) {
    assertItem(item);
    if (item.quantity === 0) continue;
    const s = itemSides(item);
    volumeMm3 += s[0] * s[1] * s[2] * item.quantity;
    weightGrams += item.weightGrams * item.quantity;
    for (let i = 0; i < 3; i++) maxSides[i] = Math.max(maxSides[i], s[i]);
  }
  return { volumeMm3, weightGrams, maxSides };
}

/** Whether the items (as an envelope) go into the box under the rules in the header. */
export function boxFits(box: Box, env: ItemsEnvelope, fillFactor: number): boolean {
  const s = sortedSides(box.lengthMm, box.widthMm, box.heightMm);
  return (
    boxVolumeMm3(box) * fillFactor >= env.volumeMm3 &&
    s[0] >= env.maxSides[0] &&
    s[1] >= env.maxSides[1] &&
    s[2] >= env.maxSides[2] &&
    env.weightGrams + box.tareGrams <= box.maxWeightGrams
  );
}

/**
 * Total weight (items + box tare); dimensions = smallest box (by volume) whose volume*fillFactor >=
 * items' volume, whose sides (sorted) are each >= the largest item's sides of the same rank, and
 * whose gross weight limit holds items + tare. Ties in volume go to the lighter box, then the code.
 *
 * Items with any dimension null count as {@link DEFAULT_ITEM_DIMENSIONS_MM} (100x100x50 mm).
 *
 * When no box fits, the parcel is custom (`box: null`, no tare added: the packaging is unknown) and
 * its dimensions cover volume V = items' volume / fillFactor, longest side first:
 * L = max(longest item side, cbrt V), W = max(largest middle item side, sqrt(V / L)),
 * H = max(largest short item side, V / (L*W)), each rounded up to a mm. So L >= W >= H, every item
 * fits on its own, L*W*H >= V, and a volume-bound parcel comes out close to a cube (the shape a
 * carrier charges least for its volume).
 *
 * Throws RangeError on negative or non-finite weights, dimensions or quantities, a fractional
 * quantity, or a fill factor outside (0, 1].
 */
export function estimateParcel(items: readonly ParcelItem[], opts?: { boxes?: readonly Box[]; fillFactor?: number }): Parcel {
  const boxes = opts?.boxes ?? DEFAULT_BOXES;
  const fillFactor = opts?.fillFactor ?? DEFAULT_FILL_FACTOR;
  if (!(fillFactor > 0 && fillFactor <= 1)) throw new RangeError(`fillFactor must be in (0, 1], got ${fillFactor}`);
  const env = itemsEnvelope(items);
  const box = smallestFittingBox(boxes, env, fillFactor);
  if (box) {
    return { weightGrams: env.weightGrams + box.tareGrams, lengthMm: box.lengthMm, widthMm: box.widthMm, heightMm: box.heightMm, box: box.code };
  }
  const [l, w, h] = customDimensions(env, fillFactor);
  return { weightGrams: env.weightGrams, lengthMm: l, widthMm: w, heightMm: h, box: null };
}

/** The smallest box (volume, then tare, then code) that fits, or null. */
export function smallestFittingBox(boxes: readonly Box[], env: ItemsEnvelope, fillFactor: number): Box | null {
  let best: Box | null = null;
  for (const box of boxes) {
    if (!boxFits(box, env, fillFactor)) continue;
    if (best === null || compareBoxes(box, best) < 0) best = box;
  }
  return best;
}

function compareBoxes(a: Box, b: Box): number {
  return boxVolumeMm3(a) - boxVolumeMm3(b) || a.tareGrams - b.tareGrams || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

function customDimensions(env: ItemsEnvelope, fillFactor: number): Sides {
  const v = env.volumeMm3 / fillFactor;
  const l = Math.ceil(Math.max(env.maxSides[0], Math.cbrt(v)));
  // An empty parcel (no items, or items without volume) has zero sides, not NaN.
  const w = Math.ceil(Math.max(env.maxSides[1], l > 0 ? Math.sqrt(v / l) : 0));
  const h = Math.ceil(Math.max(env.maxSides[2], l * w > 0 ? v / (l * w) : 0));
  // Float noise in V (a fill factor of 0.9999999999999998) can round W up past L: cbrt(1e6/f) is
  // exactly 100 but sqrt(V/100) is 100.00000000000001. Sorting keeps every side >= the item side
  // of its rank (an elementwise-larger vector, sorted, still dominates a sorted one) and the volume.
  return sortedSides(l, w, h);
}

/**
 * Volumetric weight in grams = ceil(L*W*H mm^3 / volumetricDivisor). With the industry divisor
 * 5000 (cm^3 / 5000 = kg) the same number read in mm^3 gives grams, since 1 cm^3 = 1000 mm^3 and
 * 1 kg = 1000 g.
 */
export function volumetricWeightGrams(p: { lengthMm: number; widthMm: number; heightMm: number }, volumetricDivisor: number): number {
  if (!(volumetricDivisor > 0)) throw new RangeError(`volumetricDivisor must be positive, got ${volumetricDivisor}`);
  return Math.ceil(boxVolumeMm3(p) / volumetricDivisor);
}

/** What the carrier bills: the larger of the actual and the volumetric weight. */
export function chargeableWeightGrams(p: Parcel, volumetricDivisor: number): number {
  return Math.max(p.weightGrams, volumetricWeightGrams(p, volumetricDivisor));
}

function assertItem(item: ParcelItem): void {
  const bad = (n: number | null) => n != null && !(Number.isFinite(n) && n >= 0);
  if (bad(item.weightGrams) || bad(item.lengthMm) || bad(item.widthMm) || bad(item.heightMm)) {
    throw new RangeError('item weight and dimensions must be finite and non-negative');
  }
  if (!Number.isInteger(item.quantity) || item.quantity < 0) throw new RangeError(`item quantity must be a non-negative integer, got ${item.quantity}`);
}
