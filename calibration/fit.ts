// Deterministic minimisation for the calibration scripts (calibrate-proxy.ts, calibrate-mesh.ts).

/** Nelder–Mead simplex minimisation (standard coefficients), deterministic. */
export function nelderMead(f: (x: number[]) => number, start: number[], step: number[], iterations: number): { x: number[]; value: number } {
  const n = start.length;
  let simplex = [start, ...step.map((s, i) => start.map((v, j) => (i === j ? v + s : v)))].map((x) => ({ x, value: f(x) }));
  for (let it = 0; it < iterations; it++) {
    simplex.sort((a, b) => a.value - b.value);
    const worst = simplex[n];
    const centroid = start.map((_, j) => simplex.slice(0, n).reduce((sum, p) => sum + p.x[j], 0) / n);
    const along = (t: number) => centroid.map((c, j) => c + t * (worst.x[j] - c));
    const reflected = along(-1);
    const reflectedValue = f(reflected);
    if (reflectedValue < simplex[0].value) {
      const expanded = along(-2);
      const expandedValue = f(expanded);
      simplex[n] = expandedValue < reflectedValue ? { x: expanded, value: expandedValue } : { x: reflected, value: reflectedValue };
    } else if (reflectedValue < simplex[n - 1].value) {
      simplex[n] = { x: reflected, value: reflectedValue };
    } else {
      const contracted = along(0.5);
      const contractedValue = f(contracted);
      if (contractedValue < worst.value) simplex[n] = { x: contracted, value: contractedValue };
      else {
        // Shrink every vertex halfway towards the best one.
        const best = simplex[0].x;
        simplex = simplex.map((p, i) => {
          if (i === 0) return p;
          const x = p.x.map((v, j) => best[j] + 0.5 * (v - best[j]));
          return { x, value: f(x) };
        });
      }
    }
  }
  simplex.sort((a, b) => a.value - b.value);
  return simplex[0];
}
