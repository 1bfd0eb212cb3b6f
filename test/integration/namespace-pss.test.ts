// The namespaces' Pod Security advice (namespace-pss-unenforced, report.podSecurity) against the real API
// server's Pod Security admission: namespaces of random valid pods (test/support/admission-pods.ts) are scanned, and for
// each one `kubectl label --dry-run=server` of the advised level must draw no PSA warning for its existing
// pods, while one level stricter must draw one (so the advice is the strictest, and the test can fail).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isApiStatus, type KubeClient } from '../../src/kube/client.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { PSS_ENFORCE_LEVELS, type PssEnforceLevel } from '../../src/engine/pod-security-level.ts';
import { admissionPod, hardenedAdmissionPod } from '../support/admission-pods.ts';
import { adminClient, runCli } from './support/cluster.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
const NAMESPACES = Number(process.env.PSS_NS_NAMESPACES ?? 36);
const PODS_PER_NAMESPACE = Number(process.env.PSS_NS_PODS ?? 4);
const SEED = Number(process.env.PSS_NS_SEED ?? 20261202);
let admin: KubeClient;

beforeAll(() => {
  admin = adminClient(adminKubeconfig);
});
afterAll(() => admin.close());

/** `kubectl label --dry-run=server`: what PSA says of the namespace's existing pods (its warnings). */
function dryRunLabel(args: readonly string[]): { status: number | null; warnings: string[] } {
  const result = spawnSync('kubectl', ['--kubeconfig', adminKubeconfig, ...args, '--dry-run=server'], {
    encoding: 'utf8',
  });
  expect(result.error, 'kubectl must be installed (.ci/run installs it)').toBeUndefined();
  expect(result.status, result.stderr).toBe(0);
  return {
    status: result.status,
    warnings: result.stderr.split('\n').filter((l) => l.startsWith('Warning:')),
  };
}

describe("namespaces' Pod Security advice on the real API server", () => {
  it('the advised level draws no PSA warning for the existing pods, one level stricter does', async () => {
    const run = randomUUID().slice(0, 6);
    // A third of the namespaces hold nearly compliant pods, so that every level comes out somewhere.
    const pods = fc.sample(admissionPod, { numRuns: NAMESPACES * PODS_PER_NAMESPACE, seed: SEED });
    const hardened = fc.sample(hardenedAdmissionPod, {
      numRuns: NAMESPACES * PODS_PER_NAMESPACE,
      seed: SEED,
    });
    const names: string[] = [];
    let created = 0;
    let refused = 0;
    for (let n = 0; n < NAMESPACES; n++) {
      const namespace = `pssadv-${run}-${n}`;
      names.push(namespace);
      await admin.request('POST', '/api/v1/namespaces', {
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      });
      // Hardened namespaces hold one pod, so that several pass restricted.
      for (let p = 0; p < (n % 3 === 0 ? 1 : PODS_PER_NAMESPACE); p++) {
        const pod = structuredClone((n % 3 === 0 ? hardened : pods)[n * PODS_PER_NAMESPACE + p]!) as {
          metadata: Record<string, unknown>;
          spec: Record<string, unknown>;
        };
        pod.metadata['name'] = `pod-${p}`;
        pod.metadata['namespace'] = namespace;
        try {
          await admin.request('POST', `/api/v1/namespaces/${namespace}/pods`, { body: pod });
          created++;
        } catch (error) {
          // A field of a feature the server does not serve (e.g. image volumes): not in the namespace then.
          if (!isApiStatus(error, 422)) throw error;
          refused++;
        }
      }
    }
    expect(created).toBeGreaterThan(NAMESPACES * 2.5);

    const scan = runCli(['scan', '--kubeconfig', adminKubeconfig, '-n', `pssadv-${run}-*`, '-o', 'json']);
    expect([0, 1], scan.stderr).toContain(scan.status);
    const report = JSON.parse(scan.stdout) as InspectionReport;
    expect(report.errors).toEqual([]);
    const advice = report.podSecurity?.namespaces ?? [];
    const withPods = new Set(advice.map((a) => a.namespace));
    const byLevel = new Map<PssEnforceLevel, number>();
    let stricterWarned = 0;
    for (const entry of advice) {
      expect(names).toContain(entry.namespace);
      expect(entry.enforce).toBeNull();
      byLevel.set(entry.level, (byLevel.get(entry.level) ?? 0) + 1);
      // The finding says the same level.
      const finding = report.findings.find(
        (f) => f.ruleId === 'namespace-pss-unenforced' && f.workload.name === entry.namespace,
      );
      expect(finding?.messageId).toBe(entry.level === 'privileged' ? 'privilegedOnly' : 'enforceable');
      if (entry.level !== 'privileged') {
        expect(finding?.data['level']).toBe(entry.level);
        expect(entry.command).toBe(finding?.data['command']);
        // The advised command itself, verbatim.
        const command = (entry.command as string).split(' ').slice(1);
        expect(dryRunLabel(command).warnings, `${entry.namespace}: ${entry.command}`).toEqual([]);
      } else {
        expect(entry.command).toBeNull();
        expect(
          dryRunLabel([
            'label',
            '--overwrite',
            'namespace',
            entry.namespace,
            'pod-security.kubernetes.io/enforce=privileged',
          ]).warnings,
        ).toEqual([]);
      }
      const stricter = PSS_ENFORCE_LEVELS[PSS_ENFORCE_LEVELS.indexOf(entry.level) + 1];
      if (stricter) {
        const { warnings } = dryRunLabel([
          'label',
          '--overwrite',
          'namespace',
          entry.namespace,
          `pod-security.kubernetes.io/enforce=${stricter}`,
          `pod-security.kubernetes.io/enforce-version=${report.podSecurity?.version}`,
        ]);
        expect(warnings.join('\n'), `${entry.namespace} at ${stricter}`).toMatch(
          new RegExp(
            `existing pods in namespace "${entry.namespace}" violate the new PodSecurity enforce level "${stricter}`,
          ),
        );
        stricterWarned++;
      }
    }
    // Every namespace that kept a pod has its advice; the levels are all represented.
    const expected = new Set<string>();
    for (const name of names) {
      const list = await admin.request<{ items: unknown[] }>('GET', `/api/v1/namespaces/${name}/pods`);
      if (list.items.length > 0) expected.add(name);
    }
    expect([...withPods].sort()).toEqual([...expected].sort());
    for (const level of PSS_ENFORCE_LEVELS) expect(byLevel.get(level) ?? 0, level).toBeGreaterThan(0);
    console.log(
      `namespace-pss: ${advice.length} namespaces (${created} pods created, ${refused} refused by validation): ${PSS_ENFORCE_LEVELS.map((l) => `${byLevel.get(l) ?? 0} ${l}`).join(', ')}; advice drew no warning in all, one level stricter warned in ${stricterWarned}`,
    );
  }, 300_000);
});
