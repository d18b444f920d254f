// The harness's arithmetic, pure so a unit test pins it: summaries of repeated timings and the
// ratio of two tools' medians.

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** min/median/max of the samples (median of an even count: mean of the middle two). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error("summarize: no samples");
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { n: s.length, min: s[0], median, max: s[s.length - 1] };
}

/** ours/compose on medians; undefined when compose took no measurable time. */
export function ratio(ours: Summary, compose: Summary): number | undefined {
  return compose.median > 0 ? ours.median / compose.median : undefined;
}

/** Time per service of each size, and the marginal cost of each added service between sizes. */
export function perService(points: readonly { services: number; seconds: number }[]): { services: number; perService: number; marginal?: number }[] {
  const sorted = [...points].sort((a, b) => a.services - b.services);
  return sorted.map((p, i) => {
    const prev = sorted[i - 1];
    const marginal = prev && p.services > prev.services ? (p.seconds - prev.seconds) / (p.services - prev.services) : undefined;
    return { services: p.services, perService: p.seconds / p.services, marginal };
  });
}
