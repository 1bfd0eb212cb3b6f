// `kube-patrol policy export` against the real API server: the exported ValidatingAdmissionPolicies
// (validationActions Deny, with config exemptions, scope and rule options) are installed on the test control
// plane, and for thousands of random valid pods (test/support/admission-pods.ts) the API server's verdict on
// a server-side dry-run create must equal kube-patrol's verdict for the exported rules: denied exactly when
// the engine reports an unexempted finding of one of them, by the policy of a rule that has one, with the
// engine's own message for the first such finding.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isApiStatus, type KubeClient } from '../../src/kube/client.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { createRegistry } from '../../src/engine/registry.ts';
import { createInspector } from '../../src/engine/run.ts';
import { resolveSettings } from '../../src/pipeline/settings.ts';
import { reportFindingBuilder } from '../../src/report/messages.ts';
import { ALL_RULES } from '../../src/rules/index.ts';
import { extractWorkloads } from '../../src/workloads/extract.ts';
import { admissionPod } from '../support/admission-pods.ts';
import { installExported } from './support/admission.ts';
import { adminClient, runCli, writeConfig } from './support/cluster.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
const PODS = Number(process.env.ADMISSION_DIFF_PODS ?? 3000);
const SEED = Number(process.env.ADMISSION_DIFF_SEED ?? 20261202);
const CONCURRENCY = 24;
let admin: KubeClient;

beforeAll(() => {
  admin = adminClient(adminKubeconfig);
});
afterAll(() => admin.close());

interface Verdict {
  readonly denied: boolean;
  /** The rule whose policy denied, and the message after the rule id. */
  readonly rule?: string;
  readonly message?: string;
}

/** The server's admission verdict on a dry-run create: allowed, denied by a policy, or invalid (422). */
async function serverVerdict(namespace: string, pod: unknown): Promise<Verdict | 'invalid'> {
  try {
    await admin.request('POST', `/api/v1/namespaces/${namespace}/pods?dryRun=All`, { body: pod });
    return { denied: false };
  } catch (error) {
    if (isApiStatus(error, 422)) return 'invalid';
    if (!isApiStatus(error, 403)) throw error;
    const text = (error as Error).message;
    const match =
      /ValidatingAdmissionPolicy 'kube-patrol-([a-z-]+)' with binding '[^']+' denied request: kube-patrol ([a-z-]+): (.*)$/s.exec(
        text,
      );
    if (!match) throw new Error(`403 not from a kube-patrol policy: ${text}`, { cause: error });
    expect(match[2]).toBe(match[1]);
    return { denied: true, rule: match[1] as string, message: match[3] as string };
  }
}

async function inParallel<T, R>(items: readonly T[], work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T, i);
      }
    }),
  );
  return out;
}

describe('policy export: the API server admits exactly what kube-patrol passes', () => {
  it(`agrees on ${PODS} random pods (Deny, config exemptions and scope)`, async () => {
    const run = randomUUID().slice(0, 6);
    const namespaces = [`adm-${run}-a`, `adm-${run}-ex`, `adm-${run}-out`];
    for (const name of namespaces)
      await admin.request('POST', '/api/v1/namespaces', {
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
      });
    const dir = await mkdtemp(join(tmpdir(), 'kp-admission-'));
    const config = await writeConfig(dir, {
      // Only this run's namespaces but the excluded one: the policies must not touch the other tests' pods.
      scope: { namespaces: [`adm-${run}-*`], excludeNamespaces: ['*-out'] },
      rules: { 'resources-missing': { options: { requireCpuLimit: true } } },
      exemptions: [
        { rules: ['image-tag-mutable'], namespaces: ['adm-*-ex'], reason: 'a mirror pins the tags' },
        { rules: ['read-only-root-fs'], names: ['web-*'], containers: ['c?'], reason: 'writes to /tmp' },
        { rules: ['*'], names: ['legacy-1?'], reason: 'retired next quarter' },
        { rules: ['resources-missing'], kinds: ['Deployment'], reason: 'not for pods' },
        { rules: ['seccomp-annotation-deprecated'], reason: 'expired', expires: '2020-01-01' },
      ],
    });
    const exported = runCli(['policy', 'export', '--config', config, '--action', 'Deny']);
    expect(exported.status, exported.stderr).toBe(0);
    const { rules } = await installExported(admin, exported.stdout);
    expect(rules).toEqual([
      'apparmor-annotation-deprecated',
      'image-tag-mutable',
      'read-only-root-fs',
      'resources-missing',
      'seccomp-annotation-deprecated',
    ]);
    // The policies take effect once the API server's informers have them (and the previous run's are
    // gone): wait until a pod that breaks only one rule is denied by that rule's policy, for every rule.
    const compliant = {
      name: 'c0',
      image: 'nginx:1.27',
      securityContext: { readOnlyRootFilesystem: true },
      resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
    };
    const probes: Record<string, Record<string, unknown>> = {
      'read-only-root-fs': { containers: [{ ...compliant, securityContext: {} }] },
      'image-tag-mutable': { containers: [{ ...compliant, image: 'nginx' }] },
      'resources-missing': { containers: [{ ...compliant, resources: {} }] },
      'seccomp-annotation-deprecated': {
        annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' },
      },
      'apparmor-annotation-deprecated': {
        annotations: { 'container.apparmor.security.beta.kubernetes.io/c0': 'runtime/default' },
      },
    };
    for (const [rule, probe] of Object.entries(probes)) {
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'probe', ...(probe['annotations'] ? { annotations: probe['annotations'] } : {}) },
        spec: { containers: probe['containers'] ?? [compliant] },
      };
      for (let i = 0; ; i++) {
        const verdict = await serverVerdict(namespaces[0]!, pod);
        if (verdict !== 'invalid' && verdict.rule === rule) break;
        if (i > 200) throw new Error(`the exported policy of ${rule} never took effect`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    // kube-patrol's verdict: the engine with the same config, the exported rules only.
    const registry = createRegistry(ALL_RULES);
    const settings = resolveSettings(
      registry,
      await loadConfigFile(config, registry.knownIds, undefined, registry.knownOptions),
      {},
      new Date(),
    );
    const exportedRules = settings.activeRules.filter((r) => rules.includes(r.meta.id));
    const inspect = createInspector({ ...settings.engine, rules: exportedRules });
    const toReport = reportFindingBuilder(exportedRules, 'en');

    const pods = fc.sample(admissionPod, { numRuns: PODS, seed: SEED }).map((pod, i) => {
      const copy = structuredClone(pod) as { metadata: Record<string, unknown> };
      copy.metadata['name'] = [`web-${i}`, `legacy-${i % 30}`, `pod-${i}`][i % 3];
      return { pod: copy, namespace: namespaces[i % 3]! };
    });
    const started = performance.now();
    const verdicts = await inParallel(pods, ({ pod, namespace }) => serverVerdict(namespace, pod));
    const elapsed = performance.now() - started;

    let compared = 0;
    let denied = 0;
    let invalid = 0;
    const byRule = new Map<string, number>();
    const mismatches: string[] = [];
    pods.forEach(({ pod, namespace }, i) => {
      const verdict = verdicts[i]!;
      if (verdict === 'invalid') {
        invalid++;
        return;
      }
      compared++;
      const object = { ...pod, metadata: { ...pod.metadata, namespace } };
      const extraction = extractWorkloads(object, { file: 'random.yaml', documentPath: [] });
      const workload = extraction.workloads[0]!;
      const inScope = !namespace.endsWith('-out');
      const open = inScope ? inspect(workload).findings.filter((f) => !f.exempted) : [];
      const ours = open.length > 0;
      if (verdict.denied) {
        denied++;
        byRule.set(verdict.rule!, (byRule.get(verdict.rule!) ?? 0) + 1);
      }
      // The policy names the first finding it lists; for annotations, CEL's map order is not the
      // manifest's, so it may be another finding of the same rule: any of them, word for word.
      const messages = open.filter((f) => f.ruleId === verdict.rule).map((f) => toReport(f).message);
      const problem =
        ours !== verdict.denied
          ? `server ${verdict.denied ? `denied (${verdict.rule}: ${verdict.message})` : 'allowed'}, kube-patrol ${ours ? `found ${open.map((f) => `${f.ruleId}/${f.messageId}/${f.container}`).join(', ')}` : 'nothing'}`
          : verdict.denied && messages.length === 0
            ? `denied by ${verdict.rule}, which kube-patrol does not report`
            : verdict.denied &&
                !messages.some(
                  (m) =>
                    verdict.message === m ||
                    verdict.message!.startsWith(`${m} (and ${messages.length - 1} more)`),
                )
              ? `message "${verdict.message}" is none of kube-patrol's: ${messages.join(' | ')}`
              : undefined;
      if (problem && mismatches.length < 5)
        mismatches.push(`${namespace}: ${problem}\n  pod: ${JSON.stringify(pod)}`);
      else if (problem) mismatches.push(problem);
    });
    console.log(
      `admission-differential: ${compared} pods compared (${invalid} refused by validation), ${denied} denied (${[...byRule].map(([r, n]) => `${r} ${n}`).join(', ')}), ${compared - denied} admitted; ${Math.round(elapsed)} ms for the dry-run creates (${CONCURRENCY} in flight)`,
    );
    expect(mismatches.length, mismatches.slice(0, 5).join('\n\n')).toBe(0);
    // Both outcomes and every rule must be well represented, or the comparison says little.
    expect(compared).toBeGreaterThan(PODS * 0.9);
    expect(denied).toBeGreaterThan(compared / 5);
    expect(compared - denied).toBeGreaterThan(compared / 10);
    for (const rule of rules) expect(byRule.get(rule) ?? 0, rule).toBeGreaterThan(0);
  }, 600_000);
});
