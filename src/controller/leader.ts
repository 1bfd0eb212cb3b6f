import { isApiStatus, type KubeApi } from '../kube/client.ts';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly leaseName: string;
  /** This replica's identity (pod name plus a random suffix). */
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineSeconds: number;
  readonly retryPeriodSeconds: number;
  readonly onStartedLeading: () => void;
  /** `reason` says why: the renew deadline passed, another replica holds the lease, or stop(). */
  readonly onStoppedLeading: (reason: string) => void;
  readonly onError?: (error: unknown) => void;
  /** Monotonic clock in ms (tests). */
  readonly now?: () => number;
}

interface Lease {
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

const microTime = (date: Date) => date.toISOString().replace(/Z$/, '000Z');

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: the holder renews every
 * retry period; another replica takes the lease over once it has seen the same record unchanged for a
 * whole lease duration (by its own clock, so clocks need not agree). A leader that cannot renew within
 * the renew deadline steps down before anyone else may take over.
 *
 * The deadline runs from the start of the last renew that succeeded (the server applied it no earlier),
 * and is enforced by a timer and on every `isLeader` read, not by the renew loop: a request that hangs
 * (a frozen connection) cannot keep a replica leading. Each lease request has a timeout of half the
 * deadline; the `api` given should be a connection of the elector's own (KubeClient.forLease), so that
 * a scan's requests, rate limit and sockets never delay a renew.
 */
export class LeaderElector {
  private readonly api: KubeApi;
  private readonly options: LeaderElectionOptions;
  private readonly now: () => number;
  private observed: { record: string; at: number } | undefined;
  private leading = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  /** Why this replica last stopped leading while still electing (for readiness), until it leads again. */
  lostReason: string | undefined;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();
  /** Whether the last attempt reached the API server (readiness of a standby replica). */
  healthy = false;

  constructor(api: KubeApi, options: LeaderElectionOptions) {
    this.api = api;
    this.options = options;
    this.now = options.now ?? (() => performance.now());
  }

  get isLeader(): boolean {
    // Also checked here, not only by the timer: a busy event loop may run the timer late.
    if (this.leading && this.now() - this.lastRenew >= this.deadlineMs) this.stepDown();
    return this.leading;
  }

  private get deadlineMs(): number {
    return this.options.renewDeadlineSeconds * 1000;
  }

  private get requestTimeoutMs(): number {
    return Math.max(500, this.deadlineMs / 2);
  }

  private stepDown(): void {
    if (!this.leading) return;
    const seconds = this.options.renewDeadlineSeconds;
    this.lostReason = `could not renew the lease within its renew deadline (${seconds} s)`;
    this.setLeading(false, this.lostReason);
  }

  /** Arms the deadline timer after a successful renew. */
  private armWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    const wait = this.lastRenew + this.deadlineMs - this.now();
    this.watchdog = setTimeout(
      () => {
        this.watchdog = undefined;
        if (this.leading && this.now() - this.lastRenew >= this.deadlineMs) this.stepDown();
        else if (this.leading) this.armWatchdog();
      },
      Math.max(0, wait),
    );
    this.watchdog.unref();
  }

  start(): void {
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tryAcquireOrRenew()
        .then(() => undefined)
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.options.retryPeriodSeconds * 1000);
        });
    };
    loop();
  }

  /** Stops electing; the leader releases the lease so that a standby takes over at once. */
  async stop(release = true): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.watchdog) clearTimeout(this.watchdog);
    const wasLeading = this.leading;
    // Not leading from now on, even while the last attempt is still under way.
    this.setLeading(false, 'stopping');
    await this.running;
    if (wasLeading && release) await this.release().catch((error: unknown) => this.options.onError?.(error));
  }

  private path(name?: string): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.options.namespace)}/leases${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  private setLeading(value: boolean, reason = 'another replica holds the lease'): void {
    if (this.leading === value) return;
    this.leading = value;
    if (value) {
      this.lostReason = undefined;
      this.options.onStartedLeading();
    } else {
      if (this.watchdog) clearTimeout(this.watchdog);
      this.options.onStoppedLeading(reason);
    }
  }

  private succeeded(startedAt: number): void {
    if (this.stopped) return;
    this.lastRenew = startedAt;
    if (this.now() - startedAt >= this.deadlineMs) {
      // It took longer than the deadline to go through: too late to count as a renew.
      this.stepDown();
      return;
    }
    this.setLeading(true);
    this.armWatchdog();
  }

  async tryAcquireOrRenew(): Promise<boolean> {
    const { identity, leaseName, leaseDurationSeconds } = this.options;
    const now = this.now();
    const stamp = microTime(new Date());
    let lease: Lease | undefined;
    try {
      lease = await this.api.request<Lease>('GET', this.path(leaseName), {
        timeoutMs: this.requestTimeoutMs,
      });
      this.healthy = true;
    } catch (error) {
      if (!isApiStatus(error, 404)) {
        this.healthy = false;
        void this.isLeader; // the deadline, measured now that the request has returned
        throw error;
      }
      this.healthy = true;
    }
    if (this.stopped) return false;
    if (!lease) {
      try {
        await this.api.request('POST', this.path(), {
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: {
              name: leaseName,
              namespace: this.options.namespace,
              labels: { 'app.kubernetes.io/name': 'kube-patrol' },
            },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds,
              acquireTime: stamp,
              renewTime: stamp,
              leaseTransitions: 0,
            },
          },
          timeoutMs: this.requestTimeoutMs,
        });
      } catch (error) {
        if (isApiStatus(error, 409)) return false; // another replica created it first
        throw error;
      }
      this.succeeded(now);
      return this.leading;
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.acquireTime]);
    if (!this.observed || this.observed.record !== record) this.observed = { record, at: now };
    const holder = spec.holderIdentity ?? '';
    const duration = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    const heldByOther = holder !== '' && holder !== identity;
    if (heldByOther && now - this.observed.at < duration) {
      this.setLeading(false);
      this.lostReason = undefined; // a standby that sees the holder: nothing is wrong with it
      return false;
    }
    if (this.stopped) return false;
    const takingOver = holder !== identity;
    const body: Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds,
        renewTime: stamp,
        ...(takingOver
          ? { acquireTime: stamp, leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === '' ? 0 : 1) }
          : {}),
      },
    };
    try {
      await this.api.request('PUT', this.path(leaseName), {
        body,
        timeoutMs: this.requestTimeoutMs,
      });
    } catch (error) {
      if (isApiStatus(error, 409)) {
        // Someone else wrote it between our read and write: not ours this round.
        if (takingOver) this.setLeading(false);
        return this.isLeader;
      }
      void this.isLeader; // the deadline, measured now that the request has returned
      throw error;
    }
    this.observed = { record: JSON.stringify([identity, stamp, body.spec?.acquireTime]), at: now };
    this.succeeded(now);
    return this.leading;
  }

  private async release(): Promise<void> {
    const lease = await this.api.request<Lease>('GET', this.path(this.options.leaseName), {
      timeoutMs: this.requestTimeoutMs,
    });
    if (lease.spec?.holderIdentity !== this.options.identity) return;
    const stamp = microTime(new Date());
    await this.api.request('PUT', this.path(this.options.leaseName), {
      body: {
        ...lease,
        spec: { ...lease.spec, holderIdentity: null, renewTime: stamp, leaseDurationSeconds: 1 },
      },
      timeoutMs: this.requestTimeoutMs,
    });
  }
}
