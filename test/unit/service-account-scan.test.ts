/**
 * `service-account-token` follows a ServiceAccount of the same manifest scan, whatever the order of the
 * files, and standard input is read once although the scan needs the ServiceAccounts first.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kindMentions, scanManifests } from '../../src/pipeline/scan-manifests.ts';
import { createRegistry } from '../../src/engine/registry.ts';
import { resolveSettings } from '../../src/pipeline/settings.ts';
import { ALL_RULES } from '../../src/rules/index.ts';

const deployment = (name: string, serviceAccount: string, namespace = 'shop') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      serviceAccountName: ${serviceAccount}
      containers:
        - name: app
          image: nginx:1.27
`;
const serviceAccount = (name: string, automount: string, namespace = 'shop') => `apiVersion: v1
kind: ServiceAccount
metadata: { name: ${name}, namespace: ${namespace} }
${automount === 'unset' ? '' : `automountServiceAccountToken: ${automount}\n`}`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-patrol-sa-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tokenFindings(paths: string[], readStdin?: () => Promise<string>) {
  const settings = resolveSettings(createRegistry(ALL_RULES), {}, {}, new Date('2026-12-01T00:00:00Z'));
  const { report } = await scanManifests(paths, settings, readStdin ? { readStdin } : {});
  return report.findings
    .filter((f) => f.ruleId === 'service-account-token')
    .map((f) => `${f.workload.name}:${f.messageId}`)
    .sort();
}

describe('service-account-token in manifest scans', () => {
  it('follows ServiceAccounts in files read after the workload', async () => {
    await writeFile(
      join(dir, 'a-deployments.yaml'),
      [
        deployment('quiet', 'quiet'),
        deployment('loud', 'loud'),
        deployment('other', 'quiet', 'elsewhere'),
        deployment('unknown', 'nobody'),
      ].join('---\n'),
    );
    await writeFile(
      join(dir, 'z-accounts.yaml'),
      [serviceAccount('quiet', 'false'), serviceAccount('loud', 'unset')].join('---\n'),
    );
    expect(await tokenFindings([dir])).toEqual([
      'loud:accountAllows',
      'other:notDisabled',
      'unknown:notDisabled',
    ]);
  });

  it('without the ServiceAccount in the scan, the pod spec alone decides', async () => {
    await writeFile(join(dir, 'deployment.yaml'), deployment('quiet', 'quiet'));
    expect(await tokenFindings([dir])).toEqual(['quiet:notDisabled']);
  });

  it('reads standard input once for both passes', async () => {
    let reads = 0;
    const text = [serviceAccount('quiet', 'false'), deployment('quiet', 'quiet')].join('---\n');
    const findings = await tokenFindings(['-'], () => {
      reads++;
      return Promise.resolve(text);
    });
    expect(findings).toEqual([]);
    expect(reads).toBe(1);
  });
});

describe('kindMentions: which files the first pass decodes', () => {
  const mentions = kindMentions(new Set(['ServiceAccount', 'Role']));
  it.each([
    ['kind: ServiceAccount\n', true],
    ['{"kind":"ServiceAccountList","items":[]}', true],
    ['kind: "Role"', true],
    ['# the ServiceAccount below\n', true],
    // Not a ServiceAccount: workloads that set the pod field, name an account, or other kinds.
    ['spec:\n  automountServiceAccountToken: false\n  serviceAccountName: web\n', false],
    ['kind: ClusterRole\n', false],
    ['kind: RoleBinding\n', false],
    ['kind: Deployment\n', false],
  ])('%j → %s', (text, expected) => expect(mentions(text)).toBe(expected));

  it('asks for nothing when no rule reads other kinds', () => {
    expect(kindMentions(new Set())('kind: ServiceAccount')).toBe(false);
  });
});
