// The shipped data says which upstream versions it came from; those must be the versions the Go exporter
// pins (test/runtime/seccomp-defaults.test.ts then compares the contents).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../version.ts';
import { ARCHES } from './arch.ts';
import { BASE_SET, RUNTIME_DEFAULTS, SYSCALL_TABLES } from './data.ts';

const goMod = readFileSync(join(projectRoot(), 'hack/testbin/seccomp-defaults/go.mod'), 'utf8');
function pinned(module: string): string {
  const match = new RegExp(`^\\s*${module.replaceAll('.', '\\.')} (v\\S+)`, 'm').exec(goMod);
  if (!match) throw new Error(`${module} is not in hack/testbin/seccomp-defaults/go.mod`);
  return match[1] as string;
}

describe('seccomp data provenance', () => {
  it('has the default profiles of the module versions the exporter pins', () => {
    expect(RUNTIME_DEFAULTS.containerd.module).toBe('github.com/containerd/containerd/v2');
    expect(RUNTIME_DEFAULTS.containerd.version).toBe(pinned('github.com/containerd/containerd/v2'));
    expect(RUNTIME_DEFAULTS.docker.module).toBe('github.com/moby/profiles/seccomp');
    expect(RUNTIME_DEFAULTS.docker.version).toBe(pinned('github.com/moby/profiles/seccomp'));
  });

  it('has syscall tables of the pinned golang.org/x/sys for every architecture', () => {
    for (const arch of ARCHES) {
      expect(SYSCALL_TABLES[arch].arch).toBe(arch);
      expect(SYSCALL_TABLES[arch].source.version).toBe(pinned('golang.org/x/sys'));
      expect(Object.keys(SYSCALL_TABLES[arch].syscalls).length).toBeGreaterThan(300);
    }
    expect(SYSCALL_TABLES.x86_64.syscalls.openat).toBe(257);
    expect(SYSCALL_TABLES.aarch64.syscalls.openat).toBe(56);
    expect(SYSCALL_TABLES.x86.syscalls._llseek).toBe(140);
  });

  it('has a base set of known, distinct names, each with a reason and a source', () => {
    const names = BASE_SET.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const entry of BASE_SET) {
      expect(
        entry.name in SYSCALL_TABLES.x86_64.syscalls || entry.name in SYSCALL_TABLES.aarch64.syscalls,
      ).toBe(true);
      expect(entry.why.length).toBeGreaterThan(10);
      expect(entry.source.length).toBeGreaterThan(3);
    }
    expect(names).toEqual(
      expect.arrayContaining(['execve', 'openat2', 'statx', 'capset', 'prctl', 'exit_group']),
    );
  });
});
