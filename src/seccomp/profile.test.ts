import { describe, expect, it } from 'vitest';
import { BASE_SET, SYSCALL_TABLES } from './data.ts';
import {
  buildProfile,
  installReadme,
  isValidProfileName,
  seccompPatch,
  spoLocalhostProfilePath,
  toSeccompProfileObject,
} from './profile.ts';

const build = (
  observed: string[],
  family: 'x86_64' | 'aarch64' = 'x86_64',
  mode: 'enforce' | 'log' = 'enforce',
) => buildProfile({ observed, family, mode, baseSet: BASE_SET, tables: SYSCALL_TABLES });

describe('buildProfile', () => {
  it('allows the observed calls and the base set, and denies the rest with EPERM', () => {
    const { profile, addedFromBaseSet } = build(['rename', 'keyctl', 'execve']);
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile.defaultErrnoRet).toBe(1);
    expect(profile.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(profile.syscalls).toHaveLength(1);
    const names = profile.syscalls[0]!.names;
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(['rename', 'keyctl', 'execve', 'capset', 'exit_group', 'getcwd']),
    );
    expect(addedFromBaseSet).not.toContain('execve');
    expect(addedFromBaseSet).toContain('capset');
    expect(names).toHaveLength(3 + addedFromBaseSet.length - 0);
  });

  it('writes the same list with SCMP_ACT_LOG and no errno in log mode', () => {
    const enforce = build(['rename']).profile;
    const log = build(['rename'], 'x86_64', 'log').profile;
    expect(log.defaultAction).toBe('SCMP_ACT_LOG');
    expect(log).not.toHaveProperty('defaultErrnoRet');
    expect(log.syscalls).toEqual(enforce.syscalls);
  });

  it('leaves out base-set calls the architecture family does not have', () => {
    const { profile } = build(['openat'], 'aarch64');
    expect(profile.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    expect(profile.syscalls[0]!.names).not.toContain('arch_prctl');
    expect(profile.syscalls[0]!.names).toContain('capset');
  });
});

describe('writers', () => {
  const { profile } = build(['rename']);

  it('makes an SPO SeccompProfile with the same content', () => {
    const object = toSeccompProfileObject(profile, { name: 'web', namespace: 'shop' });
    expect(object).toEqual({
      apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1',
      kind: 'SeccompProfile',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        defaultAction: 'SCMP_ACT_ERRNO',
        architectures: profile.architectures,
        syscalls: profile.syscalls,
      },
    });
    expect(toSeccompProfileObject(profile, { name: 'web' }).metadata).toEqual({ name: 'web' });
  });

  it('makes the securityContext patch', () => {
    expect(seccompPatch('kube-patrol/web.json')).toEqual({
      securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'kube-patrol/web.json' } },
    });
    expect(spoLocalhostProfilePath('web', 'shop')).toBe('operator/shop/web.json');
  });

  it('explains installation in the README', () => {
    const readme = installReadme({
      name: 'web',
      files: {
        profile: 'web.json',
        logProfile: 'web.log.json',
        spo: 'web.seccompprofile.yaml',
        patch: 'web.patch.yaml',
      },
      observedCount: 40,
      addedFromBaseSet: ['capset'],
      sources: ['trace'],
    });
    expect(readme).toContain('/var/lib/kubelet/seccomp/kube-patrol/web.json');
    expect(readme).toContain('operator/<namespace>/web.json');
    expect(readme).toContain('web.log.json');
  });

  it('accepts only Kubernetes object names', () => {
    expect(isValidProfileName('web-1.v2')).toBe(true);
    for (const bad of ['', 'Web', '../x', 'a/b', '-a', 'a-']) expect(isValidProfileName(bad)).toBe(false);
  });
});
