import { describe, expect, it } from 'vitest';
import { nestPodSpec, runRule, testRule } from '../../../test/support/rule-kit.ts';
import { seccompUnconfined } from '../seccomp-unconfined/rule.ts';
import { seccompProfileMissing } from './rule.ts';

const image = 'nginx:1.27';
const profile = (type: string) => ({ seccompProfile: { type } });
const typePath = (role: string, i: number) => `spec.${role}[${i}].securityContext.seccompProfile.type`;

testRule(seccompProfileMissing, {
  valid: [
    {
      name: 'pod RuntimeDefault',
      podSpec: { securityContext: profile('RuntimeDefault'), containers: [{ name: 'app', image }] },
    },
    {
      name: 'pod Localhost covers every role',
      podSpec: {
        securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/app.json' } },
        initContainers: [{ name: 'init', image }],
        containers: [{ name: 'app', image, securityContext: {} }],
        ephemeralContainers: [{ name: 'debug', image }],
      },
    },
    {
      name: 'no pod profile, but every container sets one',
      podSpec: {
        initContainers: [{ name: 'init', image, securityContext: profile('RuntimeDefault') }],
        containers: [{ name: 'app', image, securityContext: profile('Localhost') }],
      },
    },
    {
      name: 'container Unconfined under pod RuntimeDefault is left to seccomp-unconfined',
      podSpec: {
        securityContext: profile('RuntimeDefault'),
        containers: [{ name: 'app', image, securityContext: profile('Unconfined') }],
      },
    },
    {
      name: 'pod Unconfined is left to seccomp-unconfined',
      podSpec: { securityContext: profile('Unconfined'), containers: [{ name: 'app', image }] },
    },
    {
      name: 'Windows pod (exempt from v1.25)',
      podSpec: { os: { name: 'windows' }, containers: [{ name: 'app', image }] },
    },
    {
      name: 'Windows pod, v1.25',
      version: 'v1.25',
      podSpec: { os: { name: 'windows' }, containers: [{ name: 'app', image }] },
    },
  ],
  invalid: [
    {
      name: 'no profile anywhere',
      podSpec: { containers: [{ name: 'app', image }] },
      findings: [
        {
          messageId: 'missing',
          path: typePath('containers', 0),
          container: 'app',
          data: { container: 'app' },
          fix: 'safe',
        },
      ],
    },
    {
      name: 'explicit nulls',
      podSpec: {
        securityContext: { seccompProfile: null },
        containers: [{ name: 'app', image, securityContext: { seccompProfile: null } }],
      },
      findings: [{ messageId: 'missing', path: typePath('containers', 0), container: 'app' }],
    },
    {
      name: 'explicit Linux pod',
      podSpec: { os: { name: 'linux' }, containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'missing', path: typePath('containers', 0), container: 'app' }],
    },
    {
      name: 'only some containers set a profile (init, app and ephemeral checked)',
      podSpec: {
        initContainers: [{ name: 'init', image }],
        containers: [
          { name: 'app', image, securityContext: profile('RuntimeDefault') },
          { name: 'sidecar', image, securityContext: {} },
        ],
        ephemeralContainers: [{ name: 'debug', image }],
      },
      findings: [
        // Another container chose a profile: a person reviews; ephemeral containers get no fix.
        { messageId: 'missing', path: typePath('initContainers', 0), container: 'init', fix: 'review' },
        { messageId: 'missing', path: typePath('containers', 1), container: 'sidecar', fix: 'review' },
        { messageId: 'missing', path: typePath('ephemeralContainers', 0), container: 'debug', fix: null },
      ],
    },
    {
      name: 'the legacy pod annotation alone does not count',
      podSpec: { containers: [{ name: 'app', image }] },
      podAnnotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' },
      findings: [
        {
          messageId: 'annotationOnly',
          path: typePath('containers', 0),
          container: 'app',
          data: { annotation: 'seccomp.security.alpha.kubernetes.io/pod' },
        },
      ],
    },
    {
      name: 'the legacy container annotation alone does not count',
      podSpec: {
        containers: [
          { name: 'app', image },
          { name: 'other', image },
        ],
      },
      podAnnotations: { 'container.seccomp.security.alpha.kubernetes.io/app': 'runtime/default' },
      findings: [
        {
          messageId: 'annotationOnly',
          path: typePath('containers', 0),
          container: 'app',
          data: { annotation: 'container.seccomp.security.alpha.kubernetes.io/app' },
        },
        { messageId: 'missing', path: typePath('containers', 1), container: 'other' },
      ],
    },
    {
      name: 'oldest policy version',
      version: 'v1.25',
      podSpec: { containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'missing', path: typePath('containers', 0), container: 'app' }],
    },
  ],
});

/**
 * The pair seccomp-unconfined + seccomp-profile-missing against a model of upstream's
 * seccompProfile_baseline / seccompProfile_restricted (v1.25+): over every combination of pod and
 * container profiles and pod OS, the pair reports a pod exactly when upstream forbids it at Restricted
 * or Baseline, and seccomp-unconfined exactly when Baseline forbids it.
 */
describe('seccomp rules pair against upstream', () => {
  const types = [undefined, 'RuntimeDefault', 'Localhost', 'Unconfined', ''] as const;
  const valid = (type: string | undefined) => type === 'RuntimeDefault' || type === 'Localhost';
  const withType = (type: string | undefined) => (type === undefined ? {} : { seccompProfile: { type } });
  for (const os of [undefined, 'linux', 'windows']) {
    it(`every combination of profiles, os=${os ?? 'unset'}`, () => {
      const mismatches: string[] = [];
      for (const pod of types) {
        for (const first of types) {
          for (const second of types) {
            const spec = {
              ...(os ? { os: { name: os } } : {}),
              securityContext: withType(pod),
              initContainers: [{ name: 'init', image, securityContext: withType(first) }],
              containers: [{ name: 'app', image, securityContext: withType(second) }],
            };
            const set = [first, second].filter((t) => t !== undefined);
            const baselineForbids = (pod !== undefined && !valid(pod)) || set.some((t) => !valid(t));
            const restrictedForbids =
              os !== 'windows' &&
              (baselineForbids || [first, second].some((t) => t === undefined && !valid(pod)));
            const object = nestPodSpec('Pod', spec);
            const unconfined = runRule(seccompUnconfined, object, 'v1.25').length > 0;
            const any = unconfined || runRule(seccompProfileMissing, object, 'v1.25').length > 0;
            if (unconfined !== baselineForbids || any !== (restrictedForbids || baselineForbids)) {
              mismatches.push(`pod=${pod ?? '-'} init=${first ?? '-'} app=${second ?? '-'}`);
            }
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});
