import { InvalidArgumentError } from 'commander';

/** The environment variable that sets `--workers` when the flag is not given. */
export const WORKERS_ENV = 'KUBE_PATROL_WORKERS';

/** `--workers`: `auto`, or a whole number of threads from 0 (none) to 256. */
export function parseWorkersOption(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 256)
    throw new InvalidArgumentError('expected auto or a number of worker threads (0 for none, at most 256)');
  return n;
}
