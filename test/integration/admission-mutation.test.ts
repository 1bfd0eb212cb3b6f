// `kube-patrol policy export --mutating` on the real API server: the MutatingAdmissionPolicies of the safe
// fixes are installed, random valid pods (test/support/admission-pods.ts) are created for real through them,
// and each stored pod (1) scans without a finding of those rules that carries a safe fix, and (2) equals, in
// the fields the fixes touch, the submitted pod with the engine's own safe fixes applied (engine/fix.ts):
// one definition, the rule's fix metadata, for both.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyPatch, workloadPatch } from '../../src/engine/fix.ts';
import { parsePssVersion } from '../../src/engine/pss-version.ts';
import { createInspector } from '../../src/engine/run.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { ALL_RULES } from '../../src/rules/index.ts';
import { extractWorkloads } from '../../src/workloads/extract.ts';
import { admissionPod } from '../support/admission-pods.ts';
import { installExported } from './support/admission.ts';
import { adminClient, runCli } from './support/cluster.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
const PODS = Number(process.env.ADMISSION_MUTATION_PODS ?? 600);
const SEED = Number(process.env.ADMISSION_MUTATION_SEED ?? 20261203);
let admin: KubeClient;

beforeAll(() => {
  admin = adminClient(adminKubeconfig);
});
afterAll(() => admin.close());

type Pod = { metadata: Record<string, unknown>; spec: Record<string, unknown> };
interface Container {
  name: string;
  securityContext?: { allowPrivilegeEscalation?: boolean };
}

/** The fields the safe fixes write: the pod's seccomp profile, each container's allowPrivilegeEscalation. */
function fixedFields(pod: Pod) {
  const spec = pod.spec as {
    securityContext?: { seccompProfile?: unknown };
    containers: Container[];
    initContainers?: Container[];
  };
  return {
    seccompProfile: spec.securityContext?.seccompProfile ?? null,
    allowPrivilegeEscalation: [...(spec.initContainers ?? []), ...spec.containers].map(
      (c) => `${c.name}=${String(c.securityContext?.allowPrivilegeEscalation)}`,
    ),
  };
}

describe('policy export --mutating: pods created through the policies pass the scan for those rules', () => {
  it(`applies the engine's own safe fixes to ${PODS} random pods`, async () => {
    const exported = runCli(['policy', 'export', '--mutating']);
    expect(exported.status, exported.stderr).toBe(0);
    const { rules } = await installExported(admin, exported.stdout);
    expect(rules).toEqual(['privilege-escalation', 'seccomp-profile-missing']);
    const namespace = `mut-${randomUUID().slice(0, 6)}`;
    await admin.request('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    });
    // Effective once a pod without any profile comes back with both fixes (dry-run: nothing stored).
    const probe = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'probe' },
      spec: { containers: [{ name: 'c0', image: 'nginx:1.27' }] },
    };
    for (let i = 0; ; i++) {
      const back = await admin.request<Pod>('POST', `/api/v1/namespaces/${namespace}/pods?dryRun=All`, {
        body: probe,
      });
      const fields = fixedFields(back);
      if (fields.seccompProfile !== null && fields.allowPrivilegeEscalation[0] === 'c0=false') break;
      if (i > 200) throw new Error('the mutating policies never took effect');
      await new Promise((r) => setTimeout(r, 100));
    }

    const inspect = createInspector({
      rules: ALL_RULES,
      version: parsePssVersion('latest'),
      now: new Date(),
    });
    const chosen = new Set(rules);
    const findingsOf = (pod: Pod) => {
      const { workloads, errors } = extractWorkloads(
        { ...pod, metadata: { ...pod.metadata, namespace } },
        { file: 'pod.yaml', documentPath: [] },
      );
      expect(errors).toEqual([]);
      return inspect(workloads[0]!).findings;
    };
    const pods = fc.sample(admissionPod, { numRuns: PODS, seed: SEED });
    let changed = 0;
    let safeBefore = 0;
    const problems: string[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async (_, worker) => {
        for (let i = worker; i < pods.length; i += 16) {
          const submitted = structuredClone(pods[i]!) as Pod;
          submitted.metadata['name'] = `pod-${i}`;
          const stored = await admin.request<Pod>('POST', `/api/v1/namespaces/${namespace}/pods`, {
            body: submitted,
          });
          const before = findingsOf(submitted);
          const patch = workloadPatch(before, { rules: chosen });
          if (patch) safeBefore++;
          const expected = patch ? applyPatch(submitted, patch) : submitted;
          if (JSON.stringify(fixedFields(stored)) !== JSON.stringify(fixedFields(submitted))) changed++;
          const left = findingsOf(stored).filter((f) => chosen.has(f.ruleId) && f.fix?.safety === 'safe');
          if (left.length > 0)
            problems.push(`pod-${i}: still ${left.map((f) => `${f.ruleId}/${f.container}`).join(', ')}`);
          if (JSON.stringify(fixedFields(stored)) !== JSON.stringify(fixedFields(expected)))
            problems.push(
              `pod-${i}: stored ${JSON.stringify(fixedFields(stored))}, engine's fix ${JSON.stringify(fixedFields(expected))}\n  submitted: ${JSON.stringify(submitted)}`,
            );
        }
      }),
    );
    console.log(
      `admission-mutation: ${PODS} pods created through the policies, ${safeBefore} had a safe fix of ${rules.join(', ')}, ${changed} were changed; ${Math.round(performance.now() - started)} ms`,
    );
    expect(problems.slice(0, 5)).toEqual([]);
    expect(safeBefore).toBeGreaterThan(PODS / 10);
    expect(changed).toBe(safeBefore);
  }, 600_000);
});
