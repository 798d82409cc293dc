/**
 * Norm-Sub consistency (Wang, Lopuhaä-Zwakenberg, Chen, Li, Lin — "Locally Differentially Private
 * Frequency Estimation with Consistency", NDSS 2020): find δ with Σ max(f̂ᵢ − δ, 0) = 1 and set
 * f̃ᵢ = max(f̂ᵢ − δ, 0). Post-processing only, so it costs no privacy.
 * Collector-local until core's aggregate module lands; then this file re-exports core's.
 */
export function normSub(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const sorted = [...values].sort((a, b) => b - a);
  // Largest m with f₍ₘ₎ − δₘ > 0 where δₘ = (Σ_{i≤m} f₍ᵢ₎ − 1)/m: the support after subtraction.
  let prefix = 0;
  let delta = 0;
  for (let m = 1; m <= sorted.length; m++) {
    prefix += sorted[m - 1]!;
    const candidate = (prefix - 1) / m;
    if (sorted[m - 1]! - candidate > 0) delta = candidate;
    else break;
  }
  return values.map((f) => Math.max(f - delta, 0));
}
