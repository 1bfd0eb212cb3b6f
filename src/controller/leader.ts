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
  readonly onStoppedLeading: () => void;
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
 */
export class LeaderElector {
  private readonly api: KubeApi;
  private readonly options: LeaderElectionOptions;
  private readonly now: () => number;
  private observed: { record: string; at: number } | undefined;
  private leading = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
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
    return this.leading;
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
    await this.running;
    if (this.leading) {
      this.setLeading(false);
      if (release) await this.release().catch((error: unknown) => this.options.onError?.(error));
    }
  }

  private path(name?: string): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.options.namespace)}/leases${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  private setLeading(value: boolean): void {
    if (this.leading === value) return;
    this.leading = value;
    if (value) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }

  async tryAcquireOrRenew(): Promise<boolean> {
    const { identity, leaseName, leaseDurationSeconds } = this.options;
    const now = this.now();
    const stamp = microTime(new Date());
    let lease: Lease | undefined;
    try {
      lease = await this.api.request<Lease>('GET', this.path(leaseName), {
        timeoutMs: this.options.renewDeadlineSeconds * 1000,
      });
      this.healthy = true;
    } catch (error) {
      if (!isApiStatus(error, 404)) {
        this.healthy = false;
        this.checkDeadline(now);
        throw error;
      }
      this.healthy = true;
    }
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
        });
      } catch (error) {
        if (isApiStatus(error, 409)) return false; // another replica created it first
        throw error;
      }
      this.lastRenew = now;
      this.setLeading(true);
      return true;
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.acquireTime]);
    if (!this.observed || this.observed.record !== record) this.observed = { record, at: now };
    const holder = spec.holderIdentity ?? '';
    const duration = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    const heldByOther = holder !== '' && holder !== identity;
    if (heldByOther && now - this.observed.at < duration) {
      this.setLeading(false);
      return false;
    }
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
        timeoutMs: this.options.renewDeadlineSeconds * 1000,
      });
    } catch (error) {
      if (isApiStatus(error, 409)) {
        // Someone else wrote it between our read and write: not ours this round.
        if (takingOver) this.setLeading(false);
        else this.checkDeadline(now);
        return this.leading;
      }
      this.checkDeadline(now);
      throw error;
    }
    this.lastRenew = now;
    this.observed = { record: JSON.stringify([identity, stamp, body.spec?.acquireTime]), at: now };
    this.setLeading(true);
    return true;
  }

  /** A leader that has not renewed within the renew deadline must stop acting as one. */
  private checkDeadline(now: number): void {
    if (this.leading && now - this.lastRenew > this.options.renewDeadlineSeconds * 1000)
      this.setLeading(false);
  }

  private async release(): Promise<void> {
    const lease = await this.api.request<Lease>('GET', this.path(this.options.leaseName));
    if (lease.spec?.holderIdentity !== this.options.identity) return;
    const stamp = microTime(new Date());
    await this.api.request('PUT', this.path(this.options.leaseName), {
      body: {
        ...lease,
        spec: { ...lease.spec, holderIdentity: null, renewTime: stamp, leaseDurationSeconds: 1 },
      },
    });
  }
}
