import { describe, expect, it } from 'vitest';
import { nestPodSpec, runRule, type NestingKind } from '../../../test/support/rule-kit.ts';
import { seccompProfileNotFound } from './rule.ts';

const spo = (namespace: string, name: string) => ({
  apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1',
  kind: 'SeccompProfile',
  metadata: { name, namespace },
  spec: { defaultAction: 'SCMP_ACT_ERRNO' },
});
const localhost = (localhostProfile: string) => ({ seccompProfile: { type: 'Localhost', localhostProfile } });
/** A pod spec with one container and this pod-level security context. */
const pod = (securityContext: Record<string, unknown>) => ({
  securityContext,
  containers: [{ name: 'a', image: 'a:1' }],
});
const PREFIX: Record<NestingKind, string> = {
  Pod: 'spec',
  Deployment: 'spec.template.spec',
  CronJob: 'spec.jobTemplate.spec.template.spec',
};
const KINDS: NestingKind[] = ['Pod', 'Deployment', 'CronJob'];

function run(kind: NestingKind, podSpec: Record<string, unknown>, facts: Record<string, unknown>[]) {
  return runRule(seccompProfileNotFound, nestPodSpec(kind, podSpec), 'latest', facts).map((f) => ({
    messageId: f.messageId,
    path: f.path,
    container: f.container,
    data: f.data,
  }));
}

describe('seccomp-profile-not-found', () => {
  const profiles = [spo('shop', 'web'), spo('other', 'api')];
  const valid: { name: string; podSpec: Record<string, unknown>; facts: Record<string, unknown>[] }[] = [
    {
      name: 'the profile exists',
      podSpec: pod(localhost('operator/shop/web.json')),
      facts: profiles,
    },
    {
      name: 'a profile file not made by SPO',
      podSpec: pod(localhost('profiles/audit.json')),
      facts: profiles,
    },
    {
      name: 'RuntimeDefault',
      podSpec: pod({ seccompProfile: { type: 'RuntimeDefault' } }),
      facts: profiles,
    },
    // Nothing can be concluded when the scan holds no SeccompProfile (CRD absent, or none in the files).
    {
      name: 'SeccompProfiles unknown',
      podSpec: pod(localhost('operator/shop/missing.json')),
      facts: [],
    },
  ];
  for (const c of valid)
    for (const kind of KINDS)
      it(`valid: ${c.name} (${kind})`, () => {
        expect(run(kind, c.podSpec, c.facts)).toEqual([]);
      });

  for (const kind of KINDS) {
    it(`invalid: pod-level profile of another namespace's name (${kind})`, () => {
      const podSpec = {
        securityContext: localhost('operator/shop/api.json'),
        containers: [{ name: 'a', image: 'a:1' }],
      };
      expect(run(kind, podSpec, profiles)).toEqual([
        {
          messageId: 'podProfileMissing',
          path: `${PREFIX[kind]}.securityContext.seccompProfile.localhostProfile`,
          container: null,
          data: { profile: 'operator/shop/api.json', namespace: 'shop', name: 'api' },
        },
      ]);
    });
    it(`invalid: an init and an ephemeral container (${kind})`, () => {
      const podSpec = {
        initContainers: [
          { name: 'init', image: 'i:1', securityContext: localhost('operator/shop/init.json') },
        ],
        containers: [{ name: 'web', image: 'w:1', securityContext: localhost('operator/shop/web.json') }],
        ephemeralContainers: [
          { name: 'debug', image: 'd:1', securityContext: localhost('operator/other/dbg.json') },
        ],
      };
      const found = run(kind, podSpec, profiles);
      expect(found.map((f) => [f.messageId, f.container, f.path])).toEqual([
        [
          'containerProfileMissing',
          'init',
          `${PREFIX[kind]}.initContainers[0].securityContext.seccompProfile.localhostProfile`,
        ],
        [
          'containerProfileMissing',
          'debug',
          `${PREFIX[kind]}.ephemeralContainers[0].securityContext.seccompProfile.localhostProfile`,
        ],
      ]);
    });
  }
});
