// Usage: node hack/node.ts up [--seccomp-default=true|false] | down | kubelet --seccomp-default=true|false |
//        import IMAGE.tar... | status
//   up       a one-node cluster (test/harness/node.ts, docs/node.md); returns when the node is Ready. The last
//            stdout line is the admin kubeconfig's path. Running `up` while it runs prints that path (and
//            restarts the kubelet when --seccomp-default asks for another value).
//   down     stops everything and removes what `up` made: pods, mounts, the bridge, kube-proxy's nftables
//            tables, the kubelet's iptables chains, cgroups, the state directories.
//   kubelet  restarts only the kubelet with another seccompDefault; returns when its configz says so.
//   import   `ctr -n k8s.io images import` into the node's containerd (images for pods: never pulled).
// Progress goes to stderr, so that `KUBECONFIG=$(node hack/node.ts up | tail -n1)` works.
import path from 'node:path';
import { down, importImage, nodeAlive, readNodeState, restartKubelet, up } from '../test/harness/node.ts';

const log = (message: string) => console.error(`node: ${message}`);

function seccompFlag(args: readonly string[]): boolean | undefined {
  const flag = args.find((a) => a.startsWith('--seccomp-default'));
  if (flag === undefined) return undefined;
  const value = flag.includes('=') ? flag.slice(flag.indexOf('=') + 1) : 'true';
  if (value !== 'true' && value !== 'false')
    throw new Error(`--seccomp-default takes true or false, not ${value}`);
  return value === 'true';
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'up') {
    const seccompDefault = seccompFlag(rest) ?? process.env['KUBE_PATROL_NODE_SECCOMP_DEFAULT'] !== 'false';
    console.log((await up(seccompDefault)).kubeconfigPath);
  } else if (command === 'down') await down();
  else if (command === 'kubelet') {
    const state = readNodeState();
    const value = seccompFlag(rest);
    if (!state || !nodeAlive(state)) throw new Error('the node is not running: make node-up');
    if (value === undefined) throw new Error('usage: node hack/node.ts kubelet --seccomp-default=true|false');
    await restartKubelet(state, value);
    console.log(state.kubeconfigPath);
  } else if (command === 'import') {
    const state = readNodeState();
    if (!state || !nodeAlive(state)) throw new Error('the node is not running: make node-up');
    for (const archive of rest) await importImage(state.binDir, path.resolve(archive));
  } else if (command === 'status') {
    const state = readNodeState();
    console.log(state && nodeAlive(state) ? `running: ${state.kubeconfigPath}` : 'not running');
  } else {
    console.error(
      'usage: node hack/node.ts up [--seccomp-default=true|false] | down | kubelet --seccomp-default=true|false | import FILE... | status',
    );
    process.exitCode = 2;
  }
} catch (error) {
  log((error as Error).message);
  process.exitCode = 1;
}
