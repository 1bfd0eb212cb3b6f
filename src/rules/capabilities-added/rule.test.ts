import { describe, expect, it } from 'vitest';
import { nestPodSpec, runRule, testRule } from '../../../test/support/rule-kit.ts';
import { capabilitiesAdded } from './rule.ts';

const image = 'nginx:1.27';
const adding = (...add: string[]) => ({
  name: 'app',
  image,
  securityContext: { capabilities: { drop: ['ALL'], add } },
});
const addPath = (i: number) => `spec.containers[0].securityContext.capabilities.add[${i}]`;
const baseline = { level: 'baseline', check: 'capabilities_baseline' } as const;

testRule(capabilitiesAdded, {
  valid: [
    { name: 'no securityContext', podSpec: { containers: [{ name: 'app', image }] } },
    {
      name: 'capabilities null',
      podSpec: { containers: [{ name: 'app', image, securityContext: { capabilities: null } }] },
    },
    {
      name: 'drop only',
      podSpec: { containers: [{ name: 'app', image, securityContext: { capabilities: { drop: ['ALL'] } } }] },
    },
    { name: 'empty add', podSpec: { containers: [adding()] } },
    {
      name: 'NET_BIND_SERVICE (allowed by Baseline and Restricted)',
      podSpec: { containers: [adding('NET_BIND_SERVICE')] },
    },
    {
      name: 'baseline-set capability on a Windows pod (capabilities_restricted exempts Windows from v1.25)',
      podSpec: { os: { name: 'windows' }, containers: [adding('CHOWN', 'SETUID')] },
    },
    {
      name: 'Windows exemption at v1.25',
      version: 'v1.25',
      podSpec: { os: { name: 'windows' }, containers: [adding('KILL')] },
    },
  ],
  invalid: [
    {
      name: 'baseline-set capability other than NET_BIND_SERVICE is restricted-only, low',
      podSpec: { containers: [adding('NET_BIND_SERVICE', 'CHOWN')] },
      findings: [
        {
          messageId: 'restrictedOnly',
          path: addPath(1),
          container: 'app',
          severity: 'low',
          data: { capability: 'CHOWN' },
        },
      ],
    },
    {
      name: 'baseline-set capability on an explicit Linux pod',
      podSpec: { os: { name: 'linux' }, containers: [adding('SYS_CHROOT')] },
      findings: [{ messageId: 'restrictedOnly', path: addPath(0), severity: 'low' }],
    },
    {
      name: 'capability outside the baseline set is high',
      podSpec: { containers: [adding('NET_RAW')] },
      findings: [
        {
          messageId: 'outsideBaseline',
          path: addPath(0),
          container: 'app',
          severity: 'high',
          data: { capability: 'NET_RAW' },
        },
      ],
    },
    {
      name: 'dangerous capabilities are critical',
      podSpec: {
        containers: [
          adding(
            'SYS_ADMIN',
            'ALL',
            'SYS_MODULE',
            'SYS_PTRACE',
            'SYS_RAWIO',
            'BPF',
            'DAC_READ_SEARCH',
            'NET_ADMIN',
          ),
        ],
      },
      findings: [
        'SYS_ADMIN',
        'ALL',
        'SYS_MODULE',
        'SYS_PTRACE',
        'SYS_RAWIO',
        'BPF',
        'DAC_READ_SEARCH',
        'NET_ADMIN',
      ].map((capability, i) => ({
        messageId: 'dangerous',
        path: addPath(i),
        severity: 'critical' as const,
        data: { capability },
      })),
    },
    {
      name: 'CAP_SYS_ADMIN is outside the set (exact match) and still critical',
      podSpec: { containers: [adding('CAP_SYS_ADMIN')] },
      findings: [
        {
          messageId: 'nonCanonical',
          path: addPath(0),
          severity: 'critical',
          data: { capability: 'CAP_SYS_ADMIN', canonical: 'SYS_ADMIN' },
        },
      ],
    },
    {
      name: 'lower-case baseline capability is outside the set',
      podSpec: { containers: [adding('chown')] },
      findings: [
        {
          messageId: 'nonCanonical',
          path: addPath(0),
          severity: 'high',
          data: { capability: 'chown', canonical: 'CHOWN' },
        },
      ],
    },
    {
      name: 'outside-baseline capability on a Windows pod (capabilities_baseline has no Windows exemption)',
      podSpec: { os: { name: 'windows' }, containers: [adding('CHOWN', 'SYS_TIME')] },
      findings: [
        {
          messageId: 'outsideBaseline',
          path: addPath(1),
          severity: 'high',
          data: { capability: 'SYS_TIME' },
        },
      ],
    },
    {
      name: 'every container role',
      podSpec: {
        initContainers: [{ name: 'init', image, securityContext: { capabilities: { add: ['NET_ADMIN'] } } }],
        containers: [
          { name: 'app', image },
          { name: 'sidecar', image, securityContext: { capabilities: { add: ['SETUID'] } } },
        ],
        ephemeralContainers: [
          { name: 'debug', image, securityContext: { capabilities: { add: ['SYS_PTRACE'] } } },
        ],
      },
      findings: [
        {
          messageId: 'dangerous',
          path: 'spec.initContainers[0].securityContext.capabilities.add[0]',
          container: 'init',
          severity: 'critical',
        },
        {
          messageId: 'restrictedOnly',
          path: 'spec.containers[1].securityContext.capabilities.add[0]',
          container: 'sidecar',
          severity: 'low',
        },
        {
          messageId: 'dangerous',
          path: 'spec.ephemeralContainers[0].securityContext.capabilities.add[0]',
          container: 'debug',
          severity: 'critical',
        },
      ],
    },
    {
      name: 'oldest policy version',
      version: 'v1.25',
      podSpec: { containers: [adding('FOWNER', 'SYS_NICE')] },
      findings: [
        { messageId: 'restrictedOnly', path: addPath(0), severity: 'low' },
        { messageId: 'outsideBaseline', path: addPath(1), severity: 'high' },
      ],
    },
  ],
});

// The PSS check each finding carries: restricted for baseline-set capabilities, baseline otherwise.
describe('capabilities-added pss references', () => {
  it('tags restricted-only and baseline findings with their upstream check', () => {
    const findings = runRule(
      capabilitiesAdded,
      nestPodSpec('Pod', { containers: [adding('CHOWN', 'SYS_ADMIN')] }),
    );
    expect(findings.map((f) => f.pss)).toEqual([
      { level: 'restricted', check: 'capabilities_restricted' },
      baseline,
    ]);
  });
});
