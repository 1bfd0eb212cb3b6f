/**
 * Milliseconds on a monotonic clock, for durations (differences only). What `performance.now()` gives,
 * without the `performance` global: its first use loads perf_hooks, about 1.5 ms of a one-file scan's
 * start (issue 17).
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
