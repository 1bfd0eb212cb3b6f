import type { Logger } from 'pino';
import type { OperatorConfig } from '../config/operator.ts';
import type { KubeApi } from '../kube/client.ts';
import { isBlind, scanCluster, type ClusterScan } from '../pipeline/scan-cluster.ts';
import { diffBaseOf, type DiffBase } from '../report/diff.ts';
import type { RuleRegistry } from '../engine/registry.ts';
import { resolveSettings } from '../pipeline/settings.ts';
import type { InspectionReport, ReportCoverage } from '../report/model.ts';
import { renderReportChunks } from '../report/render/index.ts';
import { diffBaseDigest, StoredReportError } from '../report/stored.ts';
import {
  ConfigMapReportSink,
  readStoredReport,
  ReportNotFoundError,
  type WriteResult,
} from '../sinks/configmap.ts';
import { RenderError, type FileSource } from '../sinks/configmap-encoding.ts';
import { emitNewCriticalEvent } from '../sinks/events.ts';
import { policyReportSinkFor, type PolicyReportSink } from '../sinks/openreports.ts';
import { LeaderElector } from './leader.ts';
import { ReportDigestStore } from './report-digest.ts';
import { OperatorMetrics } from './metrics.ts';
import { Debouncer, SingleFlight, startCron, type CronHandle, type ScanTrigger } from './scheduler.ts';
import { startHealthServer, type HealthServer } from './server.ts';
import { ChangeWatcher } from './watch.ts';
import { objectKindsToRead } from '../pipeline/subjects.ts';
import { OBJECT_RESOURCES } from '../sources/cluster-objects.ts';

export interface OperatorOptions {
  /** The rules this operator runs (chosen by its composition root). */
  readonly registry: RuleRegistry;
  readonly api: KubeApi;
  /** For the Lease (election and the report digest): a connection of its own; default `api`. */
  readonly leaseApi?: KubeApi;
  readonly config: OperatorConfig;
  /** Where reports, the Lease and Events go. */
  readonly namespace: string;
  /** This replica's name (pod name) for the Lease and Events. */
  readonly identity: string;
  /** Kubeconfig context or `in-cluster`, for the report's metadata. */
  readonly cluster: string;
  readonly logger: Logger;
  readonly metrics?: OperatorMetrics;
  readonly clock?: () => Date;
}

export interface ScanOutcome {
  readonly ok: boolean;
  /** Written, but some workload kind could not be listed: the report says what is missing. */
  readonly partial?: boolean;
  readonly trigger: ScanTrigger;
  readonly report?: InspectionReport;
  readonly write?: WriteResult;
  readonly stats?: ClusterScan['stats'];
  readonly error?: Error;
  readonly stage?: 'list' | 'render' | 'write' | 'aborted';
}

type ScanStage = NonNullable<ScanOutcome['stage']>;

class StageError extends Error {
  readonly stage: ScanStage;
  constructor(stage: ScanStage, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.stage = stage;
  }
}

/**
 * The operator: a trigger (start, cron, changes, leadership) around one single-flight pipeline
 * cluster → engine → report → ConfigMaps. It holds no state that matters across restarts except the last
 * report, which it reads back from its ConfigMap for the diff.
 */
export class Operator {
  readonly metrics: OperatorMetrics;
  private readonly options: OperatorOptions;
  private readonly log: Logger;
  private readonly sink: ConfigMapReportSink;
  private readonly digests: ReportDigestStore;
  /** Aborted when this replica stops leading: a write under way stops at its next request. */
  private leadership: AbortController | undefined;
  private readonly policyReportSink: PolicyReportSink | undefined;
  private readonly flight: SingleFlight;
  private readonly clock: () => Date;
  private elector: LeaderElector | undefined;
  private cron: CronHandle | undefined;
  private watcher: ChangeWatcher | undefined;
  private debouncer: Debouncer | undefined;
  private server: HealthServer | undefined;
  private previous: DiffBase | null | undefined; // undefined: not read yet; null: there is none
  private lastOutcome: ScanOutcome | undefined;
  private stopping = false;
  /** Called after every scan (tests, --once). */
  onScan: ((outcome: ScanOutcome) => void) | undefined;

  constructor(options: OperatorOptions) {
    this.options = options;
    this.log = options.logger;
    this.metrics = options.metrics ?? new OperatorMetrics();
    this.clock = options.clock ?? (() => new Date());
    const report = options.config.report;
    this.sink = new ConfigMapReportSink(options.api, {
      namespace: options.namespace,
      name: report.configMapName,
      history: report.history,
      maxConfigMapBytes: report.maxConfigMapBytes,
      log: (message, fields) => this.log.warn(fields ?? {}, message),
    });
    this.digests = new ReportDigestStore(
      options.leaseApi ?? options.api,
      options.namespace,
      options.config.leaderElection.leaseName,
    );
    this.policyReportSink = policyReportSinkFor(options.api, options.config.sinks, (message, fields) =>
      this.log.warn(fields ?? {}, message),
    );
    this.flight = new SingleFlight((trigger, signal) => this.scan(trigger, signal).then(() => undefined));
  }

  get port(): number | undefined {
    return this.server?.port;
  }

  get isLeader(): boolean {
    return this.elector ? this.elector.isLeader : true;
  }

  /** Starts serving health and metrics, electing, and scanning (at start, on schedule, on changes). */
  async start(): Promise<void> {
    const { config } = this.options;
    this.server = await startHealthServer(
      config.server.host,
      config.server.port,
      { live: () => true, ready: () => this.readiness() },
      this.metrics.registry,
    );
    this.log.info(
      {
        port: this.server.port,
        namespace: this.options.namespace,
        schedule: config.schedule,
        watch: config.watch,
        identity: this.options.identity,
      },
      'operator started',
    );
    if (config.leaderElection.enabled) {
      const election = config.leaderElection;
      this.elector = new LeaderElector(this.options.leaseApi ?? this.options.api, {
        namespace: this.options.namespace,
        leaseName: election.leaseName,
        identity: this.options.identity,
        leaseDurationSeconds: election.leaseDurationSeconds,
        renewDeadlineSeconds: election.renewDeadlineSeconds,
        retryPeriodSeconds: election.retryPeriodSeconds,
        onStartedLeading: () => this.startLeading(),
        onStoppedLeading: (reason) => this.stopLeading(reason),
        onError: (error) =>
          this.log.warn({ error: describe(error) }, 'leader election: lease request failed'),
      });
      this.elector.start();
    } else {
      this.startLeading();
    }
  }

  private startLeading(): void {
    if (this.stopping) return;
    this.leadership = new AbortController();
    this.metrics.leader.set(1);
    this.log.info({ identity: this.options.identity }, 'became leader: scanning');
    const { config } = this.options;
    this.cron = startCron(config.schedule, () => this.trigger('schedule'), config.timeZone);
    if (config.watch) {
      this.debouncer = new Debouncer(config.debounceSeconds * 1000, (keys) => {
        this.log.info({ changed: keys.size, sample: [...keys].slice(0, 5) }, 'workloads changed: rescanning');
        this.trigger('change');
      });
      // The objects the rules read besides workloads (RBAC objects, ServiceAccounts) change findings too;
      // optional CRDs (SeccompProfiles) are left to the schedule.
      const kinds = objectKindsToRead(resolveSettings(this.options.registry, config, {}, this.clock()));
      const objects = OBJECT_RESOURCES.filter((r) => kinds.has(r.kind) && !r.optional);
      this.watcher = new ChangeWatcher(this.options.api, {
        objects,
        scope: config.scope ?? {},
        onChange: (key) => this.debouncer?.push(key),
        log: (level, message, fields) => this.log[level](fields ?? {}, message),
      });
      this.watcher.start();
    }
    this.trigger(this.elector ? 'leader' : 'start');
  }

  private stopLeading(reason: string): void {
    this.metrics.leader.set(0);
    if (this.elector?.lostReason === reason) this.metrics.leaseLost.inc();
    this.log.warn({ identity: this.options.identity, reason }, 'lost leadership: no more scans or writes');
    this.leadership?.abort(new Error(`lost leadership: ${reason}`));
    this.flight.abort('lost leadership');
    void this.cron?.stop();
    this.cron = undefined;
    this.debouncer?.cancel();
    this.debouncer = undefined;
    void this.watcher?.stop();
    this.watcher = undefined;
  }

  trigger(trigger: ScanTrigger): void {
    const outcome = this.flight.trigger(trigger);
    if (outcome !== 'started') this.log.info({ trigger, outcome }, 'a scan is running: trigger coalesced');
  }

  /**
   * Readiness: the leader is ready when its last scan wrote a complete report; a standby when it sees the
   * holder of the lease. Not ready after a failed or partial scan, and when this replica stopped leading
   * because it could not renew (it scans and writes nothing until it renews or sees another holder).
   */
  readiness(): { ok: boolean; reason: string } {
    if (this.stopping) return { ok: false, reason: 'shutting down' };
    if (this.elector && !this.elector.isLeader) {
      if (this.elector.lostReason)
        return { ok: false, reason: `not leading: ${this.elector.lostReason}; no scans or writes` };
      return this.elector.healthy
        ? { ok: true, reason: 'standby (another replica holds the lease)' }
        : { ok: false, reason: 'cannot reach the API server for the lease' };
    }
    const last = this.lastOutcome;
    if (!last) return { ok: false, reason: 'first scan not finished' };
    if (last.ok && last.partial)
      return {
        ok: false,
        reason: `last scan partial at ${last.report?.metadata.generatedAt ?? '?'}: ${describeDenied(last.report?.coverage)}`,
      };
    return last.ok
      ? { ok: true, reason: `last scan succeeded at ${last.report?.metadata.generatedAt ?? '?'}` }
      : { ok: false, reason: `last scan failed (${last.stage}): ${last.error?.message ?? ''}` };
  }

  /** One scan, for `--once`: no lease, no server. */
  async runOnce(): Promise<ScanOutcome> {
    return this.scan('start', new AbortController().signal);
  }

  /**
   * The previous report's diff base, read back once (then kept from each write). The stored report is
   * input, not truth: it is used only when it reads back valid within the limits of src/report/stored.ts
   * and its digest matches the one this operator recorded in its Lease when it wrote it (ADR 0009).
   * Anything else — absent, damaged, oversized, slow, forged — means no diff this time (so every critical
   * finding is announced, as on a first scan), is logged and counted, and the next write replaces it.
   */
  private async readPrevious(signal: AbortSignal): Promise<DiffBase | null> {
    if (this.previous !== undefined) return this.previous;
    const { namespace, config } = this.options;
    const reject = (problem: string, error: unknown) => {
      this.metrics.previousRejected.inc({ problem });
      this.log.warn(
        { error: describe(error), problem },
        'cannot use the previous report: this scan has no diff, and its write replaces it',
      );
      return null;
    };
    try {
      const stored = await readStoredReport(
        this.options.api,
        namespace,
        config.report.configMapName,
        undefined,
        { signal },
      );
      if (!stored.summary.files.includes('report.json')) return (this.previous = null);
      const base = await stored.diffBase(signal);
      const recorded = await this.digests.read(signal);
      if (recorded?.scanId !== stored.summary.scanId || recorded.digest !== diffBaseDigest(base)) {
        this.previous = reject(
          'digest',
          recorded
            ? `scan ${stored.summary.scanId} does not match the digest recorded in the Lease (scan ${recorded.scanId})`
            : `no digest of scan ${stored.summary.scanId} in the Lease ${config.leaderElection.leaseName}`,
        );
      } else this.previous = base;
    } catch (error) {
      if (signal.aborted) throw error;
      if (error instanceof ReportNotFoundError) {
        this.log.info({ error: describe(error) }, 'no previous report: this scan has no diff');
        this.previous = null;
      } else this.previous = reject(error instanceof StoredReportError ? error.problem : 'read', error);
    }
    return this.previous ?? null;
  }

  private async scan(trigger: ScanTrigger, signal: AbortSignal): Promise<ScanOutcome> {
    const { config, api } = this.options;
    const started = performance.now();
    this.log.info({ trigger }, 'scan started');
    let outcome: ScanOutcome;
    try {
      const previous = await this.readPrevious(signal).catch((error: unknown) => {
        throw new StageError('aborted', error);
      });
      const settings = resolveSettings(this.options.registry, config, {}, this.clock());
      const scan = await scanCluster(api, settings, {
        ...(config.scope ? { scope: config.scope } : {}),
        list: { pageSize: config.client?.pageSize ?? 500, signal },
        cluster: this.options.cluster,
        ...(previous ? { previous } : {}),
        clock: this.clock,
      }).catch((error: unknown) => {
        throw new StageError(signal.aborted ? 'aborted' : 'list', error);
      });
      if (signal.aborted || this.stopping || !this.isLeader)
        throw new StageError('aborted', signal.reason ?? new Error('stopping'));
      const report = scan.report;
      const coverage = report.coverage as ReportCoverage;
      this.metrics.scanPartial.set(coverage.partial ? 1 : 0);
      // Refused every workload kind: nothing seen, nothing to vouch for. The previous report stays.
      if (isBlind(coverage))
        throw new StageError(
          'list',
          new Error(`forbidden to list any workload kind (${describeDenied(coverage)}); nothing written`),
        );
      // Rendered lazily, one after the other, while being compressed: JSON and HTML in pieces, never whole.
      const files: Record<string, FileSource> = Object.fromEntries(
        config.report.formats.map((format) => [
          `report.${format}`,
          () => renderReportChunks(report, format, { rules: this.options.registry.meta }),
        ]),
      );
      if (signal.aborted || !this.isLeader)
        throw new StageError('aborted', signal.reason ?? new Error('lost leadership'));
      // From here the write runs to its end even if asked to stop (it either switches the report or not),
      // unless this replica stops leading: then another may write soon, so it stops at its next request.
      const write = await this.sink.write(report, files, this.leadership?.signal).catch((error: unknown) => {
        throw error instanceof RenderError
          ? new StageError('render', error.cause)
          : new StageError('write', error);
      });
      this.previous = diffBaseOf(report);
      await this.digests
        .record({ scanId: write.scanId, digest: diffBaseDigest(this.previous) })
        .catch((error: unknown) =>
          this.log.warn(
            { error: describe(error) },
            'could not record the report digest in the Lease: after a restart this report is not diffed against',
          ),
        );
      this.metrics.recordReport(report, scan.unreadable.length);
      this.metrics.writeConflicts.inc(write.conflicts);
      // A partial report is written (it says what it saw) but is no success: the staleness alert on the
      // last success keeps running, and /readyz says why.
      if (!coverage.partial) this.metrics.lastSuccess.set(Date.now() / 1000);
      this.metrics.lastScanOk.set(coverage.partial ? 0 : 1);
      outcome = { ok: true, partial: coverage.partial, trigger, report, write, stats: scan.stats };
      this.log.info(
        {
          trigger,
          scanId: write.scanId,
          storage: write.storage,
          workloads: report.summary.workloads,
          findings: report.summary.findings,
          bySeverity: report.summary.bySeverity,
          unreadable: scan.unreadable.map((u) => `${u.kind}@${u.namespace ?? '*'}`),
          collapsed: scan.stats.collapsed,
          requests: scan.stats.requests,
          listRestarts: scan.stats.restarts,
          conflicts: write.conflicts,
          partial: coverage.partial,
          durationMs: Math.round(performance.now() - started),
        },
        'scan written',
      );
      if (coverage.partial)
        this.log.warn(
          { denied: describeDenied(coverage) },
          'scan partial: some workload kinds could not be listed; the report is marked partial',
        );
      if (config.report.events && this.isLeader) await this.emitEvent(report);
      // Never throws: a refused or missing report kind is logged, and the ConfigMap report stands. A partial
      // scan deletes no report object: its namespaces may only look clean.
      if (this.isLeader) await this.policyReportSink?.write(report, { prune: !coverage.partial });
    } catch (error) {
      const stage: ScanStage = error instanceof StageError ? error.stage : 'list';
      const cause = error instanceof StageError ? (error.cause as Error) : (error as Error);
      outcome = {
        ok: false,
        trigger,
        error: cause instanceof Error ? cause : new Error(String(cause)),
        stage,
      };
      if (stage !== 'aborted') {
        this.metrics.scanErrors.inc({ stage });
        this.metrics.lastScanOk.set(0);
      }
      const level = stage === 'aborted' ? 'info' : 'error';
      this.log[level](
        { trigger, stage, error: describe(cause), durationMs: Math.round(performance.now() - started) },
        stage === 'aborted'
          ? 'scan abandoned; the previous report stays'
          : 'scan failed; the previous report stays',
      );
    }
    this.metrics.scans.inc({
      result: outcome.ok ? 'success' : outcome.stage === 'aborted' ? 'aborted' : 'failure',
      trigger,
    });
    this.metrics.duration.observe(
      { result: outcome.ok ? 'success' : 'failure' },
      (performance.now() - started) / 1000,
    );
    if (outcome.stage !== 'aborted') this.lastOutcome = outcome;
    this.onScan?.(outcome);
    return outcome;
  }

  private async emitEvent(report: InspectionReport): Promise<void> {
    const { api, namespace, config, identity } = this.options;
    try {
      const sent = await emitNewCriticalEvent(
        api,
        { namespace, kind: 'ConfigMap', name: config.report.configMapName, instance: identity },
        report,
        this.clock(),
      );
      if (sent)
        this.log.warn(
          { critical: report.summary.bySeverity.critical },
          'new critical findings: Warning Event posted',
        );
    } catch (error) {
      this.log.warn({ error: describe(error) }, 'could not post the Warning Event');
    }
  }

  /**
   * Stops cleanly: no new scans, the running one abandoned at its next step (a write already under way
   * finishes, so no report is ever half-written), the lease released for a standby, the server closed.
   */
  async stop(reason = 'SIGTERM'): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info({ reason }, 'stopping');
    await this.cron?.stop();
    this.debouncer?.cancel();
    await this.watcher?.stop();
    this.flight.abort(`stopping (${reason})`);
    await this.flight.close();
    await this.elector?.stop(true);
    await this.server?.close();
    this.log.info({}, 'stopped');
  }

  /** Resolves when no scan runs (tests). */
  idle(): Promise<void> {
    return this.flight.idle();
  }
}

function describeDenied(coverage: ReportCoverage | undefined): string {
  const denied = coverage?.denied ?? [];
  const shown = denied
    .slice(0, 5)
    .map((d) => `${d.kind} in ${d.namespace ?? 'all namespaces'} (${d.status})`);
  return `could not list ${shown.join(', ')}${denied.length > shown.length ? `, and ${denied.length - shown.length} more` : ''}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
