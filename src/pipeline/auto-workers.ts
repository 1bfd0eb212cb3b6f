/**
 * Below this many bytes of manifests, `auto` scans on one thread: starting a worker (it loads the rules
 * and the YAML decoder again, and warms its own JIT) costs more than sharing the work saves. Measured
 * with `npm run bench` (the workers table, docs/benchmarks.md#worker-threads-issue-17) on 2 cores, one
 * worker beside the main thread, two runs: 1.05x and 1.53x the single-threaded wall time at 2.9 and 4.3
 * MiB, 0.99x and 0.97x at 7.2 MiB, 1.04x at 10.8 MiB, 0.77x and 0.87x at 14.5 MiB. Break-even lies
 * between 7 and 11 MiB; the threshold is above it, where the workers won in every run.
 */
export const AUTO_WORKERS_MIN_BYTES = 12 * 1024 * 1024;
