import type { Workload } from '../workloads/model.ts';
import type { Finding } from './finding.ts';
import { formatPssVersion, type PssVersion } from './pss-version.ts';
import type { Facts, KubeObject } from './subject.ts';

/** The Pod Security admission levels, least strict first. */
export const PSS_ENFORCE_LEVELS = ['privileged', 'baseline', 'restricted'] as const;
export type PssEnforceLevel = (typeof PSS_ENFORCE_LEVELS)[number];

export const PSS_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const PSS_ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';

/**
 * The fact kind of one namespace's Pod Security tally, computed by the scan from its workloads' PSS
 * verdicts (not read from anywhere): `object` is a NamespacePodSecurity. A rule that lists it in
 * `meta.facts` is run on its namespaces after every workload has been inspected.
 */
export const NAMESPACE_POD_SECURITY = 'NamespacePodSecurity';

export interface NamespacePodSecurity {
  readonly workloads: number;
  /** Workloads that fail the baseline level (so fail restricted too, but for the Windows quirk below). */
  readonly failingBaseline: number;
  readonly failingRestricted: number;
  /** The strictest level every workload of the namespace passes. */
  readonly level: PssEnforceLevel;
}

/**
 * At restricted, upstream pod-security-admission replaces these baseline checks by restricted ones
 * (OverrideCheckIDs), and from v1.25 the replacing checks allow every pod with `os.name: windows`. Such a
 * pod fails baseline for the check and passes restricted (test/integration/pss-differential.test.ts
 * documents the same quirk).
 */
const WINDOWS_EXEMPT_AT_RESTRICTED = new Set(['capabilities_baseline', 'seccompProfile_baseline']);
const WINDOWS_EXEMPT_SINCE_MINOR = 25;

/**
 * Which levels a workload passes, from the findings of every PSS rule on it (exempted ones count:
 * admission knows nothing of kube-patrol's exemptions). The findings must come from all PSS rules at
 * `version`, whatever the config switches off, or the verdict is not upstream's.
 */
export function podSecurityVerdict(
  findings: readonly Finding[],
  workload: Pick<Workload, 'podSpec'>,
  version: PssVersion,
): { baseline: boolean; restricted: boolean } {
  const windows = workload.podSpec.os?.name === 'windows' && version.minor >= WINDOWS_EXEMPT_SINCE_MINOR;
  let baseline = true;
  let restricted = true;
  for (const finding of findings) {
    if (!finding.pss) continue;
    if (finding.pss.level === 'baseline') baseline = false;
    if (!(windows && WINDOWS_EXEMPT_AT_RESTRICTED.has(finding.pss.check))) restricted = false;
  }
  return { baseline, restricted };
}

export function strictestLevel(verdict: { baseline: boolean; restricted: boolean }): PssEnforceLevel {
  return verdict.restricted ? 'restricted' : verdict.baseline ? 'baseline' : 'privileged';
}

/** Counts each namespace's workloads by the levels they pass. */
export class PodSecurityTally {
  private readonly byNamespace = new Map<
    string,
    { workloads: number; baseline: number; restricted: number }
  >();

  add(namespace: string, verdict: { baseline: boolean; restricted: boolean }): void {
    let entry = this.byNamespace.get(namespace);
    if (!entry) this.byNamespace.set(namespace, (entry = { workloads: 0, baseline: 0, restricted: 0 }));
    entry.workloads++;
    if (!verdict.baseline) entry.baseline++;
    if (!verdict.restricted) entry.restricted++;
  }

  /** Per namespace, sorted by name. */
  namespaces(): [string, NamespacePodSecurity][] {
    return [...this.byNamespace]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, e]) => [
        name,
        {
          workloads: e.workloads,
          failingBaseline: e.baseline,
          failingRestricted: e.restricted,
          level: strictestLevel({ baseline: e.baseline === 0, restricted: e.restricted === 0 }),
        },
      ]);
  }

  /** The tally as fact objects (kind NAMESPACE_POD_SECURITY), one per namespace. */
  facts(): KubeObject[] {
    return this.namespaces().map(([name, tally]) => ({
      kind: NAMESPACE_POD_SECURITY,
      apiVersion: 'kube-patrol.io/v1',
      namespace: name,
      name,
      object: { ...tally },
      metadata: { name, namespace: name },
      origin: { file: 'scan', documentPath: [] },
    }));
  }
}

/** The tally of one namespace from the facts, when the scan computed it. */
export function namespacePodSecurity(facts: Facts, namespace: string): NamespacePodSecurity | undefined {
  if (!facts.known(NAMESPACE_POD_SECURITY)) return undefined;
  const byName = facts.derive(
    NAMESPACE_POD_SECURITY,
    (f) =>
      new Map(
        f
          .objects(NAMESPACE_POD_SECURITY)
          .map((o) => [o.name, o.object as unknown as NamespacePodSecurity] as const),
      ),
  );
  return byName.get(namespace);
}

/**
 * The command that enforces `level` on a namespace. The version is pinned to the one the verdicts were
 * computed at: with `latest`, an upgrade of the control plane could tighten the level under running
 * workloads (docs/admission.md).
 */
export function enforceLabelCommand(namespace: string, level: PssEnforceLevel, version: PssVersion): string {
  return `kubectl label --overwrite namespace ${namespace} ${PSS_ENFORCE_LABEL}=${level} ${PSS_ENFORCE_VERSION_LABEL}=${formatPssVersion(version)}`;
}

/** What the report says of one namespace (report.podSecurity.namespaces[]). */
export interface NamespaceAdvice {
  readonly namespace: string;
  readonly workloads: number;
  readonly failingBaseline: number;
  readonly failingRestricted: number;
  /** The strictest level every workload already passes. */
  readonly level: PssEnforceLevel;
  /** The namespace's `enforce` label as read; null when it has none or the Namespace was not read. */
  readonly enforce: string | null;
  /** Whether the Namespace object was read (a manifest scan may hold workloads but not their Namespace). */
  readonly namespaceRead: boolean;
  /**
   * The `kubectl label` command that enforces `level`; null when the namespace already enforces it or
   * something stricter, or when the strictest level passed is privileged (nothing to gain by enforcing).
   */
  readonly command: string | null;
}

/** The per-namespace advice: the tally joined with the Namespaces' labels. */
export function namespaceAdvice(
  tally: PodSecurityTally,
  namespaces: readonly KubeObject[],
  version: PssVersion,
): NamespaceAdvice[] {
  const labels = new Map(namespaces.map((n) => [n.name, n.metadata.labels ?? {}]));
  return tally.namespaces().map(([namespace, t]) => {
    const enforceValue = labels.get(namespace)?.[PSS_ENFORCE_LABEL];
    const enforce = typeof enforceValue === 'string' ? enforceValue : null;
    const current = PSS_ENFORCE_LEVELS.indexOf(enforce as PssEnforceLevel);
    const advised = PSS_ENFORCE_LEVELS.indexOf(t.level);
    const tighter = enforce === null ? advised > 0 : current >= 0 && advised > current;
    return {
      namespace,
      ...t,
      enforce,
      namespaceRead: labels.has(namespace),
      command: tighter ? enforceLabelCommand(namespace, t.level, version) : null,
    };
  });
}
