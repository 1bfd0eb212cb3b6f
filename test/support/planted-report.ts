// What the planted-report tests plant: a summary.json that passes the reader's schema, to be spoiled.

export const PLANTED_SCAN = '20261201-101500-a1b2';

/** A valid summary.json of scan PLANTED_SCAN, with `extra` over it (a field set to null, another storage). */
export function plantedSummary(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    scanId: PLANTED_SCAN,
    generatedAt: '2026-12-01T10:15:00.000Z',
    score: 50,
    workloads: 1,
    findings: 1,
    exempted: 0,
    bySeverity: { critical: 1, high: 0, medium: 0, low: 0, info: 0 },
    errors: 0,
    storage: 'data',
    files: ['report.json'],
    ...extra,
  });
}
