/**
 * Two small derivative-free minimisers for smoothing parameters (at most three of them, in boxes).
 * Written here rather than installed: `fmin` 0.0.4 (the registry's Nelder–Mead) minimises without
 * bounds, and smoothing parameters live in boxes (0 < alpha < 1, 0.8 <= phi <= 0.98); there is no
 * maintained bounded `nelder-mead` package, and a bounded Nelder–Mead is 60 lines.
 */

/** Golden-section search for the minimum of a unimodal-enough f on [lo, hi]. */
export function goldenSection(f: (x: number) => number, lo: number, hi: number, tol = 1e-4): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tol) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/**
 * Nelder–Mead on a box: points are clamped into [lo, hi] before evaluation, which keeps the
 * simplex feasible without penalty terms. Returns the best point found.
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  lo: number[],
  hi: number[],
  { maxEvals = 300, step = 0.1, tol = 1e-7 } = {},
): number[] {
  const n = x0.length;
  const clamp = (x: number[]): number[] => x.map((v, i) => Math.min(hi[i], Math.max(lo[i], v)));
  let evals = 0;
  const ev = (x: number[]): { x: number[]; f: number } => {
    const c = clamp(x);
    evals++;
    return { x: c, f: f(c) };
  };
  const simplex = [ev(x0)];
  for (let i = 0; i < n; i++) {
    const x = x0.slice();
    x[i] = x[i] + step * (hi[i] - lo[i]) * (x[i] + step * (hi[i] - lo[i]) > hi[i] ? -1 : 1);
    simplex.push(ev(x));
  }
  while (evals < maxEvals) {
    simplex.sort((p, q) => p.f - q.f);
    if (Math.abs(simplex[n].f - simplex[0].f) <= tol * (Math.abs(simplex[0].f) + 1e-12)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i].x[j] / n;
    const worst = simplex[n];
    const along = (t: number): number[] => centroid.map((c, j) => c + t * (worst.x[j] - c));
    const r = ev(along(-1));
    if (r.f < simplex[0].f) {
      const e = ev(along(-2));
      simplex[n] = e.f < r.f ? e : r;
    } else if (r.f < simplex[n - 1].f) {
      simplex[n] = r;
    } else {
      const c = ev(r.f < worst.f ? along(-0.5) : along(0.5));
      if (c.f < Math.min(r.f, worst.f)) simplex[n] = c;
      else {
        for (let i = 1; i <= n; i++) simplex[i] = ev(simplex[0].x.map((b, j) => b + 0.5 * (simplex[i].x[j] - b)));
      }
    }
  }
  simplex.sort((p, q) => p.f - q.f);
  return simplex[0].x;
}
