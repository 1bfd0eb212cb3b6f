// `kubectl kustomize` and `kubectl apply --server-side` as a user runs them, for the tests of manifests/
// and the image: the rendered objects, and applying them verbatim to the test control plane.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../../harness/controlplane.ts';
import type { Obj } from './cluster.ts';

export interface Rendered {
  readonly yaml: string;
  readonly objects: Obj[];
}

function kubectl(
  args: readonly string[],
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('kubectl', args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error)
    throw new Error(`kubectl ${args[0]}: ${result.error.message} (kubectl is needed by these tests)`, {
      cause: result.error,
    });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `kubectl kustomize DIR` (DIR relative to the repo root); throws with kubectl's message when it fails. */
export function kustomize(dir: string): Rendered {
  const result = kubectl(['kustomize', join(repoRoot, dir)]);
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  const objects = parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as Obj)
    .filter((o) => o?.kind);
  return { yaml: result.stdout, objects };
}

/**
 * Renders a user's overlay kept outside the repo (as the operator guide shows one): `resources` and
 * `components` name directories of the repo. kustomize wants relative paths, so they are made relative.
 */
export function kustomizeUserOverlay(overlay: { resources: string[]; components?: string[] }): Rendered {
  const dir = mkdtempSync(join(tmpdir(), 'kp-overlay-'));
  const rel = (path: string) => relative(dir, join(repoRoot, path));
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    JSON.stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: overlay.resources.map(rel),
      components: (overlay.components ?? []).map(rel),
    }),
  );
  const result = kubectl(['kustomize', dir]);
  rmSync(dir, { recursive: true, force: true });
  if (result.status !== 0)
    throw new Error(
      `kubectl kustomize of an overlay of ${overlay.resources.join(', ')} failed:\n${result.stderr}`,
    );
  return {
    yaml: result.stdout,
    objects: parseAllDocuments(result.stdout)
      .map((doc) => doc.toJS() as Obj)
      .filter((o) => o?.kind),
  };
}

/** `kubectl apply --server-side -f -` with that kubeconfig; returns kubectl's output (warnings are on stderr). */
export function applyServerSide(
  kubeconfig: string,
  yaml: string,
  options: { forceConflicts?: boolean } = {},
): { status: number | null; stdout: string; stderr: string } {
  return kubectl(
    [
      '--kubeconfig',
      kubeconfig,
      'apply',
      '--server-side',
      '--field-manager=kube-patrol-tests',
      ...(options.forceConflicts ? ['--force-conflicts'] : []),
      '-f',
      '-',
    ],
    yaml,
  );
}
