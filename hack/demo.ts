// `make demo`: the operator's main job, for real, on a throwaway local control plane:
//   1. start kube-apiserver + etcd (test/harness, built from hack/testbin on first use)
//   2. create the namespaces examples/ needs and apply examples/
//   3. install manifests/ (namespace, RBAC, config) and mint a token for its ServiceAccount
//   4. run `kube-patrol operator --once` with that token: it scans and writes the report ConfigMaps
//   5. `kube-patrol report get --out-dir demo-output` reads them back: report.html, report.json
//   6. stop the control plane
// Usage: node hack/demo.ts [path/to/cli/main.(ts|js)] [output dir]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startControlPlane, repoRoot } from '../test/harness/controlplane.ts';
import { adminClient, createObject, renderManifests, type Obj } from '../test/integration/support/cluster.ts';
import { isApiStatus } from '../src/kube/client.ts';

const cli = path.resolve(process.argv[2] ?? path.join(repoRoot, 'src', 'cli', 'main.ts'));
const outDir = path.resolve(process.argv[3] ?? path.join(repoRoot, 'demo-output'));
const step = (message: string) => console.error(`\n== ${message}`);

function readExamples(dir: string): Obj[] {
  const objects: Obj[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!/\.(ya?ml|json)$/.test(file)) continue;
    for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
      const value = doc.toJS() as Obj | null;
      if (value?.kind === 'List') objects.push(...((value['items'] as Obj[]) ?? []));
      else if (value?.kind) objects.push(value);
    }
  }
  return objects;
}

function run(args: string[], quiet = false): number {
  const result = spawnSync(process.execPath, [cli, ...args], {
    stdio: ['ignore', quiet ? 'pipe' : 'inherit', 'inherit'],
    cwd: repoRoot,
    encoding: 'utf8',
  });
  // The full table is long: show its last line (score and counts); the files hold everything.
  if (quiet) console.error(result.stdout.trimEnd().split('\n').at(-1));
  return result.status ?? 1;
}

step('starting a local kube-apiserver and etcd (first run: builds them from hack/testbin, several minutes)');
const controlPlane = await startControlPlane();
let exitCode = 0;
try {
  console.error(`kube-apiserver at ${controlPlane.server}`);
  const admin = adminClient(controlPlane.kubeconfigPath);

  step('applying examples/');
  const examples = readExamples(path.join(repoRoot, 'examples'));
  const namespaces = new Set(
    examples.map((o) => (o.kind === 'Namespace' ? o.metadata.name : (o.metadata.namespace ?? 'default'))),
  );
  for (const name of namespaces)
    await createObject(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  for (const object of examples.filter((o) => o.kind !== 'Namespace')) {
    const what = `${object.kind} ${object.metadata.namespace ?? 'default'}/${object.metadata.name}`;
    try {
      await createObject(admin, object);
      console.error(`  created ${what}`);
    } catch (error) {
      // The API server validates more than a manifest scan: an object it refuses is shown, not fatal.
      const cause = (error as Error).cause;
      if (!isApiStatus(cause, 422)) throw error;
      console.error(
        `  refused by the API server (the manifest scan still reports it): ${what}: ${cause.message.replace(/^.*?is invalid: /, '')}`,
      );
    }
  }

  step('installing manifests/ (namespace kube-patrol, read-only ClusterRole, namespaced Role, config)');
  for (const object of renderManifests().filter((o) => o.kind !== 'Deployment'))
    await createObject(admin, object);
  const token = await controlPlane.mintServiceAccountKubeconfig('kube-patrol', 'kube-patrol');
  admin.close();

  step('kube-patrol operator --once, as ServiceAccount kube-patrol/kube-patrol');
  const config = path.join(controlPlane.dir, 'operator.yaml');
  const rendered = renderManifests().find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name === 'kube-patrol-config',
  ) as { data: Record<string, string> } | undefined;
  writeFileSync(config, rendered?.data['config.yaml'] ?? '{}');
  if (
    run([
      'operator',
      '--once',
      '--config',
      config,
      '--kubeconfig',
      token,
      '-n',
      'kube-patrol',
      '--log-level',
      'warn',
    ]) !== 0
  )
    throw new Error('the operator failed; see its log above');

  step('kube-patrol report get: reading the report back from its ConfigMaps');
  if (run(['report', 'get', '--kubeconfig', token, '-n', 'kube-patrol', '--out-dir', outDir], true) !== 0)
    throw new Error('report get failed');
  console.error(
    `\nThe report is in ${outDir}:\n  ${path.join(outDir, 'report.html')}  (open it in a browser)\n  ${path.join(outDir, 'report.json')}`,
  );
} catch (error) {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  step('stopping the control plane');
  await controlPlane.stop();
}
process.exitCode = exitCode;
