import { describe, expect, it } from 'vitest';
import { RUNTIME_DEFAULTS } from './data.ts';
import {
  RUNTIME_DEFAULT_CAPABILITIES,
  RuntimeDefaultUnavailableError,
  argumentValue,
  checkAgainstRuntimeDefault,
  judgeSyscall,
  materializeRuntimeDefault,
  normalizeCapability,
} from './runtime-default.ts';
import type { ObservedSyscall } from './strace.ts';

const call = (name: string, argSamples: string[] = []): ObservedSyscall => ({
  name,
  count: 1,
  failed: 0,
  arches: ['x86_64'],
  first: { file: 't', line: 1 },
  argSamples,
});

const RUNTIMES = ['containerd', 'docker'] as const;

describe.each(RUNTIMES)('%s RuntimeDefault', (runtime) => {
  const profile = (caps: readonly string[]) =>
    materializeRuntimeDefault(RUNTIME_DEFAULTS[runtime], caps, 'x86_64');
  const plain = profile(RUNTIME_DEFAULT_CAPABILITIES);
  const admin = profile([...RUNTIME_DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);

  const table: { name: string; args?: string[]; caps: 'plain' | 'admin'; kind: string }[] = [
    { name: 'read', caps: 'plain', kind: 'allowed' },
    { name: 'keyctl', caps: 'plain', kind: 'denied' },
    { name: 'keyctl', caps: 'admin', kind: 'denied' },
    { name: 'unshare', caps: 'plain', kind: 'denied' },
    { name: 'unshare', caps: 'admin', kind: 'allowed' },
    { name: 'mount', caps: 'plain', kind: 'denied' },
    { name: 'setns', caps: 'admin', kind: 'allowed' },
    { name: 'clone3', caps: 'plain', kind: 'enosys' },
    { name: 'clone3', caps: 'admin', kind: 'allowed' },
    { name: 'clone', args: ['CLONE_VM|CLONE_THREAD|SIGCHLD'], caps: 'plain', kind: 'conditional' },
    { name: 'clone', args: ['CLONE_NEWUSER|SIGCHLD'], caps: 'plain', kind: 'denied' },
    { name: 'clone', args: ['CLONE_NEWUSER|SIGCHLD'], caps: 'admin', kind: 'allowed' },
    { name: 'socket', args: ['AF_INET'], caps: 'plain', kind: 'conditional' },
    { name: 'socket', args: ['AF_NFC'], caps: 'plain', kind: 'conditional' },
    { name: 'socket', args: ['AF_ALG'], caps: 'plain', kind: 'denied' },
    { name: 'socket', args: ['AF_VSOCK'], caps: 'plain', kind: 'denied' },
    { name: 'personality', args: ['PER_LINUX32'], caps: 'plain', kind: 'conditional' },
    { name: 'personality', args: ['0x4'], caps: 'plain', kind: 'denied' },
    { name: 'reboot', caps: 'plain', kind: 'denied' },
  ];
  it.each(table)('$name($args) with $caps capabilities: $kind', ({ name, args, caps, kind }) => {
    expect(judgeSyscall(caps === 'plain' ? plain : admin, call(name, args)).kind).toBe(kind);
  });

  it('allows ptrace (kernels >= 4.8), and kcmp only with CAP_SYS_PTRACE', () => {
    const verdict = judgeSyscall(plain, call('ptrace')).kind;
    // containerd allows ptrace on kernels >= 4.8 for everyone; moby too (minKernel 4.8).
    expect(verdict).toBe('allowed');
    expect(judgeSyscall(profile([]), call('kcmp')).kind).toBe('denied');
    expect(judgeSyscall(profile(['CAP_SYS_PTRACE']), call('kcmp')).kind).toBe('allowed');
  });

  it('lists the denied calls and says whether RuntimeDefault is enough', () => {
    const result = checkAgainstRuntimeDefault(plain, [
      call('read'),
      call('keyctl'),
      call('clone3'),
      call('unshare'),
    ]);
    expect(result.observed).toEqual(['read', 'keyctl', 'clone3', 'unshare']);
    expect(result.deniedByRuntimeDefault).toEqual(['keyctl', 'unshare']);
    expect(result.enosys).toEqual(['clone3']);
    expect(result.runtimeDefaultEnough).toBe(false);
    expect(checkAgainstRuntimeDefault(plain, [call('read')]).runtimeDefaultEnough).toBe(true);
  });

  it('says "unknown" for a condition without traced arguments (summary tables)', () => {
    expect(judgeSyscall(plain, call('socket'))).toMatchObject({ kind: 'conditional', seen: 'unknown' });
  });
});

describe('materializeRuntimeDefault', () => {
  it('gives docker the x86 and x32 sub-architectures and the arch-only calls', () => {
    const p = materializeRuntimeDefault(RUNTIME_DEFAULTS.docker, [], 'x86_64');
    expect(p.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(p.syscalls.some((r) => r.names.includes('arch_prctl'))).toBe(true);
    const arm = materializeRuntimeDefault(RUNTIME_DEFAULTS.docker, [], 'aarch64');
    expect(arm.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    expect(arm.syscalls.some((r) => r.names.includes('arch_prctl'))).toBe(false);
    expect(arm.syscalls.some((r) => r.names.includes('arm_fadvise64_64'))).toBe(true);
  });

  it('refuses containerd for an architecture its data was not exported for', () => {
    expect(() => materializeRuntimeDefault(RUNTIME_DEFAULTS.containerd, [], 'aarch64')).toThrow(
      RuntimeDefaultUnavailableError,
    );
  });

  it('drops every condition: the result is what runc gets', () => {
    const p = materializeRuntimeDefault(RUNTIME_DEFAULTS.docker, ['CAP_SYS_ADMIN'], 'x86_64');
    for (const rule of p.syscalls) {
      expect(rule).not.toHaveProperty('includes');
      expect(rule).not.toHaveProperty('excludes');
    }
  });
});

describe('helpers', () => {
  it('normalizes capability names', () => {
    expect(['SYS_ADMIN', 'cap_sys_admin', ' CAP_SYS_ADMIN '].map(normalizeCapability)).toEqual([
      'CAP_SYS_ADMIN',
      'CAP_SYS_ADMIN',
      'CAP_SYS_ADMIN',
    ]);
  });

  it('reads the argument values strace prints', () => {
    expect(argumentValue('clone', 'CLONE_NEWNS|CLONE_NEWPID|SIGCHLD')).toBe(0x20020000);
    expect(argumentValue('socket', 'AF_INET6')).toBe(10);
    expect(argumentValue('socket', '0x28')).toBe(40);
    expect(argumentValue('personality', 'PER_LINUX32|UNAME26')).toBe(0x20008);
    expect(argumentValue('socket', 'AF_WHATEVER')).toBeUndefined();
  });
});
