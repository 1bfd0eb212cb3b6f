import { atLeastMinor, type PssVersion } from '../engine/pss-version.ts';

/**
 * Whether upstream's policy relaxes its user checks for this pod: from v1.35, a pod in a user namespace
 * (`hostUsers: false`) is exempt from the run-as-non-root and run-as-root-user checks, and Baseline allows
 * its procMount. One place for the version and the field, as the three rules must agree.
 */
export function inUserNamespace(context: {
  readonly version: PssVersion;
  readonly podSpec: { readonly hostUsers?: boolean | null | undefined };
}): boolean {
  return atLeastMinor(context.version, 35) && context.podSpec.hostUsers === false;
}
