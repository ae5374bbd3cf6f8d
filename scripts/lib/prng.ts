/** The seeded PRNG of the demo scripts (seed, carrier simulator): the same seed gives the same data on every machine. */

/** mulberry32: a tiny, well-known 32-bit PRNG; enough for demo data, and stable across Node versions. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    /** Standard normal (Box-Muller). */
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    /** `n` distinct items in their original order. */
    some: <T>(xs: readonly T[], n: number): T[] => {
      const idx = xs.map((_, i) => i);
      for (let i = idx.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      }
      return idx.slice(0, Math.min(n, xs.length)).sort((x, y) => x - y).map((i) => xs[i]!);
    },
  };
}

export type Prng = ReturnType<typeof prng>;
