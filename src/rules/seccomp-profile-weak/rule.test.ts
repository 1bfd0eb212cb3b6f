import { describe, expect, it } from 'vitest';
import { runObjectRule, testObjectRule } from '../../../test/support/rule-kit.ts';
import { REQUIRED_BASE_SET } from '../../seccomp/base-set.ts';
import { seccompProfileWeak } from './rule.ts';

function profile(spec: Record<string, unknown> | undefined) {
  return {
    apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1',
    kind: 'SeccompProfile',
    metadata: { name: 'p', namespace: 'shop' },
    ...(spec === undefined ? {} : { spec }),
  };
}
const allow = (names: readonly string[]) => [{ action: 'SCMP_ACT_ALLOW', names: [...names] }];

testObjectRule(seccompProfileWeak, {
  valid: [
    {
      name: 'allow list with the base set',
      object: profile({
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: allow([...REQUIRED_BASE_SET, 'accept4']),
      }),
    },
    {
      name: 'base set spread over groups',
      object: profile({
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [
          ...allow(REQUIRED_BASE_SET.slice(0, 3)),
          { action: 'SCMP_ACT_ERRNO', names: ['keyctl'] },
          ...allow(REQUIRED_BASE_SET.slice(3)),
        ],
      }),
    },
    {
      name: 'kills by default',
      object: profile({ defaultAction: 'SCMP_ACT_KILL_PROCESS', syscalls: allow(REQUIRED_BASE_SET) }),
    },
    {
      name: 'a base profile supplies the runtime calls',
      object: profile({
        defaultAction: 'SCMP_ACT_ERRNO',
        baseProfileName: 'runc-v1.2.0',
        syscalls: allow(['accept4']),
      }),
    },
    {
      name: 'a base profile and no syscalls',
      object: profile({ defaultAction: 'SCMP_ACT_ERRNO', baseProfileName: 'runc-v1.2.0' }),
    },
  ],
  invalid: [
    {
      name: 'allows by default',
      object: profile({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ action: 'SCMP_ACT_ERRNO', names: ['keyctl'] }],
      }),
      findings: [
        {
          messageId: 'allowsByDefault',
          path: 'spec.defaultAction',
          data: { name: 'p', action: 'SCMP_ACT_ALLOW' },
        },
      ],
    },
    {
      name: 'notifies by default',
      object: profile({ defaultAction: 'SCMP_ACT_NOTIFY' }),
      findings: [
        { messageId: 'allowsByDefault', path: 'spec.defaultAction', data: { action: 'SCMP_ACT_NOTIFY' } },
      ],
    },
    {
      name: 'log mode',
      object: profile({ defaultAction: 'SCMP_ACT_LOG', syscalls: allow(REQUIRED_BASE_SET) }),
      findings: [{ messageId: 'logsOnly', path: 'spec.defaultAction' }],
    },
    {
      name: 'empty allow list',
      object: profile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [] }),
      findings: [{ messageId: 'emptyAllowList', path: 'spec.syscalls' }],
    },
    {
      name: 'no syscalls at all',
      object: profile({ defaultAction: 'SCMP_ACT_ERRNO' }),
      findings: [{ messageId: 'emptyAllowList', path: 'spec.syscalls' }],
    },
    {
      name: 'only deny groups',
      object: profile({
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [{ action: 'SCMP_ACT_ERRNO', names: ['read'] }],
      }),
      findings: [{ messageId: 'emptyAllowList', path: 'spec.syscalls' }],
    },
    {
      name: 'lacks the base set',
      object: profile({
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: allow(REQUIRED_BASE_SET.filter((n) => n !== 'execve' && n !== 'futex')),
      }),
      findings: [{ messageId: 'missingBaseSet', path: 'spec.syscalls', data: { missing: 'execve, futex' } }],
    },
    {
      name: 'an empty base profile name does not count',
      object: profile({ defaultAction: 'SCMP_ACT_ERRNO', baseProfileName: '', syscalls: allow(['read']) }),
      findings: [{ messageId: 'missingBaseSet', path: 'spec.syscalls' }],
    },
    {
      name: 'no defaultAction',
      object: profile({ syscalls: allow(['read']) }),
      findings: [{ messageId: 'noDefaultAction', path: 'spec.defaultAction' }],
    },
    {
      name: 'no spec',
      object: profile(undefined),
      findings: [{ messageId: 'noDefaultAction', path: 'spec.defaultAction' }],
    },
  ],
});

describe('seccomp-profile-weak on malformed input', () => {
  it('ignores malformed syscall groups instead of failing', () => {
    const object = profile({
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        null,
        'x',
        { action: 'SCMP_ACT_ALLOW', names: 'read' },
        { action: 'SCMP_ACT_ALLOW', names: [1, ...REQUIRED_BASE_SET] },
      ],
    });
    expect(runObjectRule(seccompProfileWeak, { name: 'malformed', object })).toEqual([]);
  });
});
