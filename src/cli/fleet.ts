import { writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Language } from '../engine/i18n.ts';
import type { RuleRegistry } from '../engine/registry.ts';
import { collectFleet, incomplete } from '../fleet/collect.ts';
import { buildFleetReport } from '../fleet/digest.ts';
import { writeClusterReport } from '../fleet/files.ts';
import type { FleetTarget } from '../fleet/model.ts';
import { renderFleetHtml, renderFleetJson } from '../fleet/render.ts';
import {
  FleetTargetError,
  kubeconfigContexts,
  kubeconfigFiles,
  targetsFromContexts,
  targetsFromFleetFile,
} from '../fleet/targets.ts';
import { connect } from '../kube/client.ts';
import { toolVersion } from '../version.ts';
import { DEFAULT_NAMESPACE } from './commands/kube-options.ts';
import { writeStdout } from './options.ts';

export interface FleetFlags {
  kubeconfig?: string;
  context?: string;
  allContexts?: boolean;
  fleet?: string;
  namespace?: string;
  name: string;
  outDir?: string;
  output?: 'html' | 'json';
  lang: Language;
  concurrency: number;
  staleAfter: number;
  timeout: number;
}

function chooseTargets(flags: FleetFlags): FleetTarget[] {
  const given = [flags.context, flags.allContexts, flags.fleet].filter((x) => x !== undefined && x !== false);
  if (given.length !== 1)
    throw new FleetTargetError('name the clusters with one of --context, --all-contexts, --fleet');
  const defaults = { namespace: flags.namespace ?? DEFAULT_NAMESPACE, configMap: flags.name };
  if (flags.fleet) return targetsFromFleetFile(flags.fleet, defaults);
  if (flags.allContexts)
    return targetsFromContexts(kubeconfigContexts(kubeconfigFiles(flags.kubeconfig)), defaults);
  return targetsFromContexts((flags.context ?? '').split(','), defaults);
}

export async function runFleet(flags: FleetFlags, registry: RuleRegistry): Promise<number> {
  let targets: FleetTarget[];
  try {
    targets = chooseTargets(flags);
  } catch (error) {
    if (!(error instanceof FleetTargetError)) throw error;
    process.stderr.write(`kube-patrol: ${error.message}\n`);
    return 2;
  }
  const outDir = flags.outDir ? resolve(flags.outDir) : undefined;
  const output = flags.output ?? (outDir ? undefined : 'json');
  const now = new Date();
  const collected = await collectFleet(targets, {
    now,
    staleAfterSeconds: flags.staleAfter,
    concurrency: flags.concurrency,
    connect: (target) =>
      connect({
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        context: target.context,
        timeoutMs: flags.timeout * 1000,
        // One retry: an unreachable cluster costs one timeout, not three.
        retries: 1,
      }),
    ...(outDir
      ? {
          writeReport: (
            target: FleetTarget,
            index: number,
            report: Parameters<typeof writeClusterReport>[3],
          ) => writeClusterReport(outDir, target, index, report, registry.meta),
        }
      : {}),
  });
  const fleet = buildFleetReport({
    now,
    lang: flags.lang,
    toolVersion: toolVersion(),
    staleAfterSeconds: flags.staleAfter,
    clusters: collected,
  });
  if (outDir) {
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'index.html'), renderFleetHtml(fleet));
    await writeFile(join(outDir, 'fleet.json'), renderFleetJson(fleet));
    process.stderr.write(
      `kube-patrol: wrote ${join(outDir, 'index.html')} and ${join(outDir, 'fleet.json')}\n`,
    );
  }
  if (output) await writeStdout(output === 'html' ? renderFleetHtml(fleet) : renderFleetJson(fleet));
  const unread = fleet.clusters.filter(incomplete);
  for (const row of unread)
    process.stderr.write(`kube-patrol: ${row.name}: ${row.status}${row.problem ? `: ${row.problem}` : ''}\n`);
  return unread.length > 0 ? 2 : 0;
}
