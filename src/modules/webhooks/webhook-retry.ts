// When a failed attempt is tried again: base × 4^(attempt-1), at most `max`, ±20 % so that the
// deliveries of one outage do not all return at once. With the defaults (5 s, 1 h, 8 attempts):
// 5 s, 20 s, 80 s, ~5 min, ~21 min, 1 h, 1 h, then failed: about two and a half hours in all.
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponential = baseMs * Math.pow(4, Math.max(0, attempt - 1));
  return Math.round(Math.min(maxMs, exponential) * (0.8 + random() * 0.4));
}
