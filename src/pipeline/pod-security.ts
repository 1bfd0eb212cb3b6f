import {
  NAMESPACE_POD_SECURITY,
  namespaceAdvice,
  podSecurityVerdict,
  PodSecurityTally,
} from '../engine/pod-security-level.ts';
import { formatPssVersion } from '../engine/pss-version.ts';
import { isPodSpecRule } from '../engine/rule.ts';
import { createInspector, type EngineError, type SubjectResult } from '../engine/run.ts';
import { createFacts, type Facts, type KubeObject } from '../engine/subject.ts';
import type { ReportPodSecurity } from '../report/model.ts';
import type { Workload } from '../workloads/model.ts';
import type { ScanSettings } from './settings.ts';
import { inspectObjectSubjects } from './subjects.ts';

/**
 * The namespaces' Pod Security advice of one scan (docs/admission.md): each workload's PSS verdict is
 * counted in its namespace as it is inspected; once every workload is in, the rules that read the tally
 * (meta facts NAMESPACE_POD_SECURITY, e.g. namespace-pss-unenforced) run on the namespaces, and the report
 * gets the advice. Absent (undefined) when no active rule asks for the tally.
 */
export interface PodSecurityPass {
  /** The verdict of one workload, from its result (or from the PSS rules alone when config turned some off). */
  verdictOf(workload: Workload, result: SubjectResult): { baseline: boolean; restricted: boolean };
  /** Counts a workload that is kept in the report. */
  count(workload: Pick<Workload, 'namespace'>, verdict: { baseline: boolean; restricted: boolean }): void;
  /** Runs the deferred namespace rules and returns their results and the report's advice. */
  finish(
    objects: readonly KubeObject[],
    known: Iterable<string>,
    inScope: (namespace: string) => boolean,
    errors: EngineError[],
  ): { results: SubjectResult[]; advice: ReportPodSecurity };
}

export function wantsPodSecurity(kinds: Set<string>): boolean {
  // Computed by the scan, never listed or decoded: take it out of the kinds to read.
  return kinds.delete(NAMESPACE_POD_SECURITY);
}

export function createPodSecurityPass(settings: ScanSettings): PodSecurityPass {
  const version = settings.engine.version;
  const pssRules = settings.registry.rules.filter((r) => isPodSpecRule(r) && r.meta.pss !== null);
  const active = new Set(settings.activeRules);
  const applicable = pssRules.filter(
    (r) => r.meta.sinceMinor === undefined || version.minor >= r.meta.sinceMinor,
  );
  // A verdict needs every PSS rule: when the config switched one off, they run once more on their own.
  const own = applicable.every((r) => active.has(r))
    ? undefined
    : createInspector({ rules: pssRules, version, now: settings.engine.now });
  const tally = new PodSecurityTally();
  return {
    verdictOf(workload, result) {
      return podSecurityVerdict(own ? own(workload).findings : result.findings, workload, version);
    },
    count(workload, verdict) {
      if (workload.namespace !== null) tally.add(workload.namespace, verdict);
    },
    finish(objects, known, inScope, errors) {
      // Only namespaces with workloads are subjects: of an empty one there is nothing to say (and a scan of
      // an empty namespace must still inspect nothing).
      const counted = new Set(tally.namespaces().map(([name]) => name));
      const namespaces = objects.filter(
        (o) => o.kind === 'Namespace' && inScope(o.name) && counted.has(o.name),
      );
      const facts: Facts = createFacts([...objects, ...tally.facts()], [...known, NAMESPACE_POD_SECURITY]);
      const results = inspectObjectSubjects(namespaces, settings, facts, errors);
      return {
        results,
        advice: {
          version: formatPssVersion(version),
          namespaces: namespaceAdvice(tally, namespaces, version).filter((a) => inScope(a.namespace)),
        },
      };
    },
  };
}

/** Object subjects inspected before the workloads: all but the namespaces when the pass defers them. */
export function inspectedFirst(
  objects: readonly KubeObject[],
  pass: PodSecurityPass | undefined,
): KubeObject[] {
  return pass ? objects.filter((o) => o.kind !== 'Namespace') : [...objects];
}
