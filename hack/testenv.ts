// Usage: node hack/testenv.ts up|down
//   up    starts etcd + kube-apiserver detached, state in <repo>/.testenv/; the last stdout line is the
//         admin kubeconfig's absolute path. Running `up` again while it runs just prints that path.
//   down  stops them and removes .testenv/.
// Progress and hints go to stderr so that `KUBECONFIG=$(node hack/testenv.ts up | tail -n1)` works.
import path from 'node:path';
import {
  isStateAlive,
  readStateIn,
  repoRoot,
  startControlPlane,
  stopControlPlaneInDir,
} from '../test/harness/controlplane.ts';

const stateDir = path.join(repoRoot, '.testenv');

async function up(): Promise<void> {
  const existing = readStateIn(stateDir);
  if (existing && isStateAlive(existing)) {
    console.error(`testenv: already running at ${existing.server}`);
    console.log(existing.kubeconfigPath);
    return;
  }
  // Leftovers of a crashed run or a reboot: whatever still runs of it is stopped, the files go.
  await stopControlPlaneInDir(stateDir);
  const started = Date.now();
  const controlPlane = await startControlPlane({ dir: stateDir, detached: true });
  console.error(
    `testenv: kube-apiserver ready at ${controlPlane.server} in ${Date.now() - started} ms ` +
      `(logs in ${path.relative(process.cwd(), stateDir) || '.'}/*.log); stop it with: make testenv-down`,
  );
  console.log(controlPlane.kubeconfigPath);
}

async function down(): Promise<void> {
  const existing = readStateIn(stateDir);
  await stopControlPlaneInDir(stateDir);
  console.error(existing ? `testenv: stopped ${existing.server}` : 'testenv: nothing was running');
}

const command = process.argv[2];
if (command === 'up') await up();
else if (command === 'down') await down();
else {
  console.error('usage: node hack/testenv.ts up|down');
  process.exitCode = 2;
}
