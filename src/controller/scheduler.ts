import cron from 'node-cron';

export type ScanTrigger = 'start' | 'schedule' | 'change' | 'leader';

export type TriggerOutcome = 'started' | 'coalesced' | 'queued';

/**
 * Runs at most one scan at a time. A scheduled tick while a scan runs is coalesced into it (that scan
 * is as fresh as the tick asks); a change seen while a scan runs queues exactly one follow-up, since the
 * running scan may have listed that object before it changed.
 */
export class SingleFlight {
  private readonly run: (trigger: ScanTrigger, signal: AbortSignal) => Promise<void>;
  private current: { promise: Promise<void>; controller: AbortController } | undefined;
  private followUp: ScanTrigger | undefined;
  private closed = false;

  constructor(run: (trigger: ScanTrigger, signal: AbortSignal) => Promise<void>) {
    this.run = run;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  trigger(trigger: ScanTrigger): TriggerOutcome {
    if (this.closed) return 'coalesced';
    if (this.current) {
      if (trigger === 'schedule' || trigger === 'start') return 'coalesced';
      this.followUp = trigger;
      return 'queued';
    }
    const controller = new AbortController();
    const promise = this.run(trigger, controller.signal)
      .catch(() => undefined) // the run reports its own failures
      .finally(() => {
        this.current = undefined;
        const next = this.followUp;
        this.followUp = undefined;
        if (next && !this.closed) this.trigger(next);
      });
    this.current = { promise, controller };
    return 'started';
  }

  /** Abandons the running scan (its listing stops; a write already under way is left to finish). */
  abort(reason: string): void {
    this.followUp = undefined;
    this.current?.controller.abort(new Error(reason));
  }

  /** No new scans; resolves when the running one (if any) has settled. */
  async close(): Promise<void> {
    this.closed = true;
    this.followUp = undefined;
    await this.current?.promise;
  }

  /** Resolves when no scan runs (tests). */
  async idle(): Promise<void> {
    while (this.current) await this.current.promise;
  }
}

/**
 * Collects the keys of changed objects and fires once they have been quiet for `delayMs`, with every key
 * seen: a burst of events (a rollout, a Helm upgrade) becomes one rescan, never one per event. A
 * `maxDelayMs` bounds the wait when changes never stop.
 */
export class Debouncer {
  private readonly delayMs: number;
  private readonly maxDelayMs: number;
  private readonly fire: (keys: ReadonlySet<string>) => void;
  private keys = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private firstAt = 0;

  constructor(
    delayMs: number,
    fire: (keys: ReadonlySet<string>) => void,
    maxDelayMs = Math.max(delayMs * 10, 60_000),
  ) {
    this.delayMs = delayMs;
    this.maxDelayMs = maxDelayMs;
    this.fire = fire;
  }

  get pending(): number {
    return this.keys.size;
  }

  push(key: string): void {
    if (this.keys.size === 0) this.firstAt = Date.now();
    this.keys.add(key);
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.delayMs, this.firstAt + this.maxDelayMs - Date.now()));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.keys.size === 0) return;
    const keys = this.keys;
    this.keys = new Set();
    this.fire(keys);
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.keys.clear();
  }
}

export interface CronHandle {
  stop(): Promise<void>;
  nextRun(): Date | null;
}

/** Calls `tick` on the cron schedule (node-cron); the caller's SingleFlight decides what a tick does. */
export function startCron(expression: string, tick: () => void, timeZone?: string): CronHandle {
  const task = cron.schedule(expression, () => tick(), {
    name: 'kube-patrol-scan',
    ...(timeZone ? { timezone: timeZone } : {}),
  });
  return {
    stop: async () => {
      await task.stop();
      await task.destroy();
    },
    nextRun: () => task.getNextRun(),
  };
}
