/** The service account a pod runs as: `serviceAccountName`, else the deprecated `serviceAccount`, else `default`. */
export function serviceAccountOf(podSpec: Readonly<Record<string, unknown>>): string {
  for (const field of ['serviceAccountName', 'serviceAccount']) {
    const value = podSpec[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return 'default';
}
