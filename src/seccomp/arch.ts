// Architectures: the names strace, the kernel, libseccomp (SCMP_ARCH_*) and Go (GOARCH) use for them.

/** The architectures whose syscall tables ship in data/syscalls, with the GOARCH of their x/sys file. */
export const SYSCALL_TABLE_ARCHES = {
  x86_64: 'amd64',
  x86: '386',
  aarch64: 'arm64',
  arm: 'arm',
} as const;

export type Arch = keyof typeof SYSCALL_TABLE_ARCHES;

export const ARCHES = Object.keys(SYSCALL_TABLE_ARCHES) as Arch[];

export interface SyscallTable {
  arch: string;
  source: { module: string; version: string; file: string };
  syscalls: Record<string, number>;
}

/**
 * A 64-bit architecture with the 32-bit personalities its kernel also runs. A profile for the family lists
 * them all (as containerd and Docker do): a name is resolved per architecture, and one an architecture does
 * not have is skipped by runc/libseccomp. x32 uses the x86_64 names (libseccomp numbers them from the
 * x86_64 table with the x32 bit set), so it has no table of its own.
 */
export interface ArchFamily {
  primary: Arch;
  compat: Arch;
  scmp: string[];
  /** moby's `includes.arches` names that apply to the primary personality */
  mobyArches: string[];
}

export const FAMILIES: Record<'x86_64' | 'aarch64', ArchFamily> = {
  x86_64: {
    primary: 'x86_64',
    compat: 'x86',
    scmp: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    mobyArches: ['amd64'],
  },
  aarch64: {
    primary: 'aarch64',
    compat: 'arm',
    scmp: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
    mobyArches: ['arm64'],
  },
};

export type FamilyName = keyof typeof FAMILIES;

export function familyOf(arch: Arch): FamilyName {
  return arch === 'x86_64' || arch === 'x86' ? 'x86_64' : 'aarch64';
}

/** `--arch` values: the strace/kernel names and a few aliases people type. */
export function parseArch(value: string): Arch {
  const aliases: Record<string, Arch> = {
    x86_64: 'x86_64',
    amd64: 'x86_64',
    x64: 'x86_64',
    x86: 'x86',
    i386: 'x86',
    i686: 'x86',
    '386': 'x86',
    ia32: 'x86',
    aarch64: 'aarch64',
    arm64: 'aarch64',
    arm: 'arm',
  };
  const arch = aliases[value.toLowerCase()];
  if (!arch) throw new Error(`unknown architecture "${value}" (one of ${ARCHES.join(', ')})`);
  return arch;
}

/** Node's process.arch as one of ours; x86_64 for anything we have no table for. */
export function archOfNode(nodeArch: string): Arch {
  return nodeArch === 'arm64'
    ? 'aarch64'
    : nodeArch === 'arm'
      ? 'arm'
      : nodeArch === 'ia32'
        ? 'x86'
        : 'x86_64';
}
