/**
 * Pod Security Standards policy versions. `latest` means the newest Kubernetes minor that the test
 * control plane pins (hack/testbin); every minor from v1.25 up can be selected.
 */
export interface PssVersion {
  readonly major: 1;
  readonly minor: number;
}

export const OLDEST_PSS_MINOR = 25;
export const LATEST_PSS_MINOR = 37;
export const LATEST_PSS_VERSION: PssVersion = { major: 1, minor: LATEST_PSS_MINOR };

export class PssVersionError extends Error {}

export function parsePssVersion(text: string): PssVersion {
  if (text === 'latest') return LATEST_PSS_VERSION;
  const match = /^v?1\.(\d+)$/.exec(text.trim());
  if (!match)
    throw new PssVersionError(
      `invalid PSS version "${text}": use "latest" or v1.${OLDEST_PSS_MINOR}..v1.${LATEST_PSS_MINOR}`,
    );
  const minor = Number(match[1]);
  if (minor < OLDEST_PSS_MINOR || minor > LATEST_PSS_MINOR) {
    throw new PssVersionError(
      `unsupported PSS version "${text}": supported are v1.${OLDEST_PSS_MINOR}..v1.${LATEST_PSS_MINOR} and "latest"`,
    );
  }
  return { major: 1, minor };
}

export function formatPssVersion(version: PssVersion): string {
  return `v${version.major}.${version.minor}`;
}

/** True when the selected policy version is `v1.<minor>` or newer. */
export function atLeastMinor(version: PssVersion, minor: number): boolean {
  return version.minor >= minor;
}
