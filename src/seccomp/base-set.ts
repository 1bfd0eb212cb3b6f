// The system calls a runtime makes for itself once the filter is in (data/base-set.json), on their own:
// the seccomp-profile-weak rule reads them without loading the syscall tables and default profiles.
import baseSet from './data/base-set.json' with { type: 'json' };

export interface BaseSetEntry {
  name: string;
  why: string;
  source: string;
  measured?: boolean;
  /** expected in every profile: see data/base-set.json "required" */
  required?: boolean;
}

export const BASE_SET: readonly BaseSetEntry[] = baseSet.entries;

/** What no container starts without under runc (the seccomp-profile-weak rule's base set). */
export const REQUIRED_BASE_SET: readonly string[] = BASE_SET.filter((e) => e.required).map((e) => e.name);
