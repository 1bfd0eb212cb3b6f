// The data shipped with kube-patrol: syscall tables, the base set, and the runtimes' default profiles.
// Each file says where it came from; test/runtime/seccomp-defaults.test.ts regenerates the upstream ones.
import type { Arch, SyscallTable } from './arch.ts';
import aarch64 from './data/syscalls/aarch64.json' with { type: 'json' };
import arm from './data/syscalls/arm.json' with { type: 'json' };
import x86 from './data/syscalls/x86.json' with { type: 'json' };
import x86_64 from './data/syscalls/x86_64.json' with { type: 'json' };
import runtimeDefaults from './data/runtime-defaults.json' with { type: 'json' };

export const SYSCALL_TABLES: Readonly<Record<Arch, SyscallTable>> = { x86_64, x86, aarch64, arm };

export { BASE_SET, REQUIRED_BASE_SET, type BaseSetEntry } from './base-set.ts';

/** An argument condition of a rule, as runtime-spec writes it. */
export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface RuleFilter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

export interface DefaultProfileRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[];
  includes?: RuleFilter;
  excludes?: RuleFilter;
}

export interface RuntimeDefaultProfile {
  module: string;
  version: string;
  package: string;
  /** containerd decides some rules by the GOARCH it was built for: the data is for this one */
  goarch?: string;
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures: string[] | null }[];
  syscalls: DefaultProfileRule[];
}

export type RuntimeName = 'containerd' | 'docker';

export const RUNTIME_DEFAULTS: Readonly<Record<RuntimeName, RuntimeDefaultProfile>> = runtimeDefaults;
