import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateConfig } from '../config/load.ts';
import { DEFAULT_SCHEDULE, operatorConfigSchema } from '../config/operator.ts';
import { KubeApiError, type KubeApi, type RequestOptions } from '../kube/client.ts';
import { RateLimiter } from '../kube/rate-limit.ts';
import { REGISTRY } from '../../test/support/registry.ts';
import { LeaderElector } from './leader.ts';
import { Debouncer, SingleFlight, type ScanTrigger } from './scheduler.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('SingleFlight', () => {
  it('runs one scan at a time: ticks coalesce into the running scan, changes queue one follow-up', async () => {
    const runs: ScanTrigger[] = [];
    let release!: () => void;
    const flight = new SingleFlight(async (trigger) => {
      runs.push(trigger);
      await new Promise<void>((resolve) => (release = resolve));
    });
    expect(flight.trigger('start')).toBe('started');
    expect(flight.trigger('schedule')).toBe('coalesced');
    expect(flight.trigger('change')).toBe('queued');
    expect(flight.trigger('change')).toBe('queued');
    release();
    await vi.waitFor(() => expect(runs).toEqual(['start', 'change']));
    release();
    await flight.idle();
    expect(runs).toEqual(['start', 'change']);
  });

  it('passes an abort signal that abort() fires, and runs nothing after close()', async () => {
    let seen: AbortSignal | undefined;
    const flight = new SingleFlight(async (_trigger, signal) => {
      seen = signal;
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
    });
    flight.trigger('start');
    flight.abort('stopping');
    await flight.close();
    expect(seen?.aborted).toBe(true);
    expect(flight.trigger('change')).toBe('coalesced');
  });
});

describe('Debouncer', () => {
  it('fires once with every distinct key after the quiet period', () => {
    vi.useFakeTimers();
    const fired: string[][] = [];
    const debouncer = new Debouncer(1000, (keys) => fired.push([...keys]));
    for (let i = 0; i < 50; i++) {
      debouncer.push(`Deployment/shop/web-${i % 3}`);
      vi.advanceTimersByTime(100);
    }
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([['Deployment/shop/web-0', 'Deployment/shop/web-1', 'Deployment/shop/web-2']]);
  });

  it('fires by maxDelay when changes never stop', () => {
    vi.useFakeTimers();
    const fired: number[] = [];
    const debouncer = new Debouncer(1000, (keys) => fired.push(keys.size), 5000);
    for (let i = 0; i < 80; i++) {
      debouncer.push(`k${i}`);
      vi.advanceTimersByTime(100);
    }
    expect(fired.length).toBeGreaterThanOrEqual(1);
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then the sustained rate', async () => {
    let now = 0;
    const limiter = new RateLimiter(10, 3, () => now);
    for (let i = 0; i < 3; i++) await limiter.take();
    let done = false;
    const fourth = limiter.take().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    now = 100; // one token per 100 ms at 10 qps
    await fourth;
    expect(done).toBe(true);
  });
});

/** One Lease in memory, with resourceVersion checks. */
function fakeLeaseApi() {
  let lease: { metadata: Record<string, unknown>; spec: Record<string, unknown> } | undefined;
  let rv = 0;
  let down = false;
  const api: KubeApi = {
    async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
      if (down) throw new KubeApiError(method, path, 503, 'ServiceUnavailable', 'down');
      const body = options.body as typeof lease;
      if (method === 'GET') {
        if (!lease) throw new KubeApiError(method, path, 404, 'NotFound', '');
        return structuredClone(lease) as T;
      }
      if (method === 'POST') {
        if (lease) throw new KubeApiError(method, path, 409, 'AlreadyExists', '');
        lease = { ...body!, metadata: { ...body!.metadata, resourceVersion: String(++rv) } };
        return lease as T;
      }
      if (lease?.metadata['resourceVersion'] !== body!.metadata['resourceVersion'])
        throw new KubeApiError(method, path, 409, 'Conflict', '');
      lease = { ...body!, metadata: { ...body!.metadata, resourceVersion: String(++rv) } };
      return lease as T;
    },
    async watch() {},
  };
  return { api, lease: () => lease, setDown: (value: boolean) => (down = value) };
}

describe('LeaderElector', () => {
  const base = {
    namespace: 'kp',
    leaseName: 'kube-patrol-leader',
    leaseDurationSeconds: 15,
    renewDeadlineSeconds: 10,
    retryPeriodSeconds: 2,
  };

  it('one leader; the other takes over only after the record stayed unchanged for a lease duration', async () => {
    const { api, lease } = fakeLeaseApi();
    let now = 0;
    const events: string[] = [];
    const make = (identity: string) =>
      new LeaderElector(api, {
        ...base,
        identity,
        now: () => now,
        onStartedLeading: () => events.push(`${identity} leads`),
        onStoppedLeading: () => events.push(`${identity} stops`),
      });
    const a = make('a');
    const b = make('b');
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    now = 5000;
    expect(await a.tryAcquireOrRenew()).toBe(true); // renewed: b sees a new record
    expect(await b.tryAcquireOrRenew()).toBe(false);
    now = 19_000; // a died after its last renewal at 5 s; b first saw that record at 5 s
    expect(await b.tryAcquireOrRenew()).toBe(false);
    now = 20_001;
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(lease()!.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(events).toEqual(['a leads', 'b leads']);
    // a comes back: it sees b's lease, stops leading.
    expect(await a.tryAcquireOrRenew()).toBe(false);
    expect(events).toEqual(['a leads', 'b leads', 'a stops']);
  });

  it('a leader that cannot renew within the deadline steps down; release() hands over at once', async () => {
    const { api, lease, setDown } = fakeLeaseApi();
    let now = 0;
    const events: string[] = [];
    const a = new LeaderElector(api, {
      ...base,
      identity: 'a',
      now: () => now,
      onStartedLeading: () => events.push('lead'),
      onStoppedLeading: () => events.push('stop'),
    });
    await a.tryAcquireOrRenew();
    setDown(true);
    now = 5000;
    await expect(a.tryAcquireOrRenew()).rejects.toThrow();
    expect(a.isLeader).toBe(true);
    now = 10_001;
    await expect(a.tryAcquireOrRenew()).rejects.toThrow();
    expect(a.isLeader).toBe(false);
    setDown(false);
    await a.tryAcquireOrRenew();
    await a.stop(true);
    expect(lease()!.spec['holderIdentity']).toBeNull();
    const b = new LeaderElector(api, {
      ...base,
      identity: 'b',
      now: () => now,
      onStartedLeading: () => undefined,
      onStoppedLeading: () => undefined,
    });
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(events).toEqual(['lead', 'stop', 'lead', 'stop']);
  });
});

describe('LeaderElector deadline', () => {
  const elector = (
    api: KubeApi,
    now: () => number,
    onStoppedLeading: (reason: string) => void = () => undefined,
  ) =>
    new LeaderElector(api, {
      namespace: 'kp',
      leaseName: 'kube-patrol-leader',
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      retryPeriodSeconds: 2,
      identity: 'a',
      now,
      onStartedLeading: () => undefined,
      onStoppedLeading,
    });

  it('a renew that hangs cannot keep a replica leading: it steps down at the deadline, by timer and on read', async () => {
    vi.useFakeTimers();
    const { api } = fakeLeaseApi();
    let hang = false;
    const pending: Promise<unknown>[] = [];
    const hanging: KubeApi = {
      watch: api.watch,
      request: <T>(method: string, path: string, options?: RequestOptions): Promise<T> => {
        if (!hang) return api.request<T>(method, path, options);
        const never = new Promise<T>(() => undefined);
        pending.push(never);
        return never;
      },
    };
    const stops: string[] = [];
    const a = elector(
      hanging,
      () => Date.now(),
      (reason) => stops.push(reason),
    );
    expect(await a.tryAcquireOrRenew()).toBe(true);
    hang = true;
    void a.tryAcquireOrRenew(); // never returns
    vi.advanceTimersByTime(9_000);
    expect(a.isLeader).toBe(true);
    vi.advanceTimersByTime(1_000);
    expect(stops).toEqual(['could not renew the lease within its renew deadline (10 s)']);
    expect(a.isLeader).toBe(false);
    expect(a.lostReason).toMatch(/renew deadline/);
    expect(pending).toHaveLength(1);
  });

  it('a renew that succeeds only after the deadline does not count', async () => {
    const { api } = fakeLeaseApi();
    let now = 0;
    let slow = false;
    const delayed: KubeApi = {
      watch: api.watch,
      request: async <T>(method: string, path: string, options?: RequestOptions): Promise<T> => {
        const result = await api.request<T>(method, path, options);
        if (slow && method === 'PUT') now += 11_000; // the PUT returned 11 s after it was sent
        return result;
      },
    };
    const a = elector(delayed, () => now);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    slow = true;
    expect(await a.tryAcquireOrRenew()).toBe(false);
    expect(a.isLeader).toBe(false);
    await a.stop(false);
  });
});

describe('operator config', () => {
  it('has defaults that work with no file', () => {
    const config = validateConfig('(defaults)', {}, REGISTRY.knownIds, operatorConfigSchema);
    expect(config).toMatchObject({
      schedule: DEFAULT_SCHEDULE,
      watch: false,
      report: { configMapName: 'kube-patrol-report', history: 5, formats: ['json', 'html'] },
      leaderElection: { enabled: true, leaseDurationSeconds: 15 },
      server: { port: 8080 },
    });
  });

  it('names every invalid key', () => {
    expect(() =>
      validateConfig(
        'op.yaml',
        { schedule: 'every day', report: { history: 0 }, sceduel: 1, rules: { nope: 'off' } },
        REGISTRY.knownIds,
        operatorConfigSchema,
      ),
    ).toThrow(/schedule: expected a cron expression.*report\.history.*sceduel: unknown key/);
    expect(() =>
      validateConfig(
        'op.yaml',
        { leaderElection: { leaseDurationSeconds: 5, renewDeadlineSeconds: 10 } },
        REGISTRY.knownIds,
        operatorConfigSchema,
      ),
    ).toThrow(/renewDeadlineSeconds must be below leaseDurationSeconds/);
  });
});
