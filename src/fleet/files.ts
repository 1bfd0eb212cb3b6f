/** The fleet page's files: the page, its JSON, and each cluster's full report beside them. */
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuleMeta } from '../engine/rule.ts';
import type { InspectionReport } from '../report/model.ts';
import { renderReportChunks } from '../report/render/index.ts';
import type { FleetTarget } from './model.ts';

/** `03-prod-eu`: the target's position (unique) and a file-name-safe form of its display name. */
export function clusterSlug(target: Pick<FleetTarget, 'name'>, index: number): string {
  const safe = target.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${String(index + 1).padStart(2, '0')}${safe ? `-${safe}` : ''}`;
}

async function writePieces(path: string, pieces: Iterable<string>): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for (const piece of pieces) await handle.write(piece);
  } finally {
    await handle.close();
  }
}

/**
 * Writes `clusters/<slug>/report.html` and `report.json` under `dir`, both rendered anew from the parsed
 * report (never the bytes stored in the cluster), streamed piece by piece; returns the paths relative
 * to `dir`, as the fleet page links them.
 */
export async function writeClusterReport(
  dir: string,
  target: FleetTarget,
  index: number,
  report: InspectionReport,
  rules: readonly RuleMeta[],
): Promise<{ html: string; json: string }> {
  const relative = `clusters/${clusterSlug(target, index)}`;
  await mkdir(join(dir, relative), { recursive: true });
  await writePieces(join(dir, relative, 'report.json'), renderReportChunks(report, 'json', { rules }));
  await writePieces(join(dir, relative, 'report.html'), renderReportChunks(report, 'html', { rules }));
  return { html: `${relative}/report.html`, json: `${relative}/report.json` };
}
