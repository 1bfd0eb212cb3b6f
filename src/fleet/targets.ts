/** Which clusters a fleet report reads: contexts named on the command line, all of a kubeconfig, or a fleet file. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { load } from 'js-yaml';
import { z } from '../shared/zod.ts';
import type { FleetTarget } from './model.ts';

export interface TargetDefaults {
  readonly namespace: string;
  readonly configMap: string;
}

/** A fleet file, a kubeconfig or a context list that cannot be used; names the file and the problem. */
export class FleetTargetError extends Error {
  override readonly name = 'FleetTargetError';
}

const dnsName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a lowercase DNS name')
  .max(253);

const fleetFileSchema = z.strictObject({
  clusters: z
    .array(
      z.strictObject({
        context: z.string().min(1),
        /** Shown on the page; default the context. */
        name: z.string().min(1).max(200).optional(),
        namespace: dnsName.optional(),
        configMap: dnsName.optional(),
      }),
    )
    .min(1),
});

/** The kubeconfig files in use: `--kubeconfig`, else $KUBECONFIG (several), else ~/.kube/config. */
export function kubeconfigFiles(
  kubeconfig: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  if (kubeconfig) return [kubeconfig];
  const paths = (env['KUBECONFIG'] ?? '').split(delimiter).filter(Boolean);
  return paths.length > 0 ? paths : [join(homedir(), '.kube', 'config')];
}

/** Every context of the kubeconfig files, in file order, the first of a name winning (as kubectl merges). */
export function kubeconfigContexts(files: readonly string[]): string[] {
  const names: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      // kubectl skips a missing file of $KUBECONFIG; so do we, unless it is the only one.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && files.length > 1) continue;
      throw new FleetTargetError(`${file}: ${(error as Error).message}`);
    }
    let doc: unknown;
    try {
      doc = load(text);
    } catch (error) {
      throw new FleetTargetError(`${file}: not YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    const contexts = (doc as { contexts?: unknown } | null)?.contexts;
    if (contexts === undefined || contexts === null) continue;
    if (!Array.isArray(contexts)) throw new FleetTargetError(`${file}: contexts is not a list`);
    for (const entry of contexts) {
      const name = (entry as { name?: unknown } | null)?.name;
      if (typeof name === 'string' && name && !names.includes(name)) names.push(name);
    }
  }
  if (names.length === 0) throw new FleetTargetError(`no context in ${files.join(', ')}`);
  return names;
}

export function targetsFromContexts(contexts: readonly string[], defaults: TargetDefaults): FleetTarget[] {
  const unique = [...new Set(contexts.map((c) => c.trim()).filter(Boolean))];
  if (unique.length === 0) throw new FleetTargetError('--context: no context named');
  return unique.map((context) => ({ context, name: context, ...defaults }));
}

export function targetsFromFleetFile(file: string, defaults: TargetDefaults): FleetTarget[] {
  let doc: unknown;
  try {
    doc = load(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FleetTargetError(`${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = fleetFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FleetTargetError(
      `${file}: ${issue?.path.length ? `${issue.path.join('.')}: ` : ''}${issue?.message ?? 'invalid'}`,
    );
  }
  const names = new Set<string>();
  return parsed.data.clusters.map((c, i) => {
    const name = c.name ?? c.context;
    if (names.has(name)) throw new FleetTargetError(`${file}: clusters.${i}: the name ${name} is used twice`);
    names.add(name);
    return {
      context: c.context,
      name,
      namespace: c.namespace ?? defaults.namespace,
      configMap: c.configMap ?? defaults.configMap,
    };
  });
}
