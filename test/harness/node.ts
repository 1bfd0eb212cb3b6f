// A one-node cluster on this machine, as root (docs/node.md): the test control plane (etcd + kube-apiserver,
// serving on the node bridge's address so pods reach it through the `kubernetes` Service) plus
// kube-controller-manager, kube-scheduler, kube-proxy (nftables), containerd + runc + CNI and one kubelet.
// State in <repo>/.node/ (KUBE_PATROL_NODE_DIR) and /run/kube-patrol-node/. Used by hack/node.ts
// (`make node-up` / `make node-down`) and the tests in test/node/.
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { connect } from '../../src/kube/client.ts';
import { stringify } from 'yaml';
import {
  isOurProcess,
  issueCertificate,
  kubeconfigYaml,
  launch,
  locateTestBinaries,
  pidOf,
  readStateIn,
  repoRoot,
  runBuildScript,
  startControlPlane,
  stopControlPlaneInDir,
  stopProcessGroup,
  waitFor,
} from './controlplane.ts';

const execFileAsync = promisify(execFile);

export const NODE_NAME = 'kube-patrol-node';
/** A bridge of our own with a private /24: the API server serves on its first address, pods get the rest. */
const BRIDGE = 'kpnode0';
export const BRIDGE_ADDRESS = '10.244.0.1';
const POD_CIDR = '10.244.0.0/24';
/** The test control plane's --service-cluster-ip-range (the `kubernetes` Service is its first address). */
const SERVICE_CIDR = '10.0.0.0/24';
const stateDir = path.resolve(process.env['KUBE_PATROL_NODE_DIR'] ?? path.join(repoRoot, '.node'));
/** Sockets live here: the shims' paths under a long checkout path would pass the 108-byte limit. */
const runDir = '/run/kube-patrol-node';
const containerdSocket = path.join(runDir, 'containerd.sock');
const controlPlaneDir = path.join(stateDir, 'control-plane');
/**
 * One node per machine (a fixed bridge, address and ports): this file names the state directory of the
 * checkout whose node holds the machine-wide parts (runDir, the bridge, the kubelet's and kube-proxy's rules).
 */
const ownerFile = path.join(runDir, 'owner');

function machineOwner(): string | undefined {
  try {
    return readFileSync(ownerFile, 'utf8').trim();
  } catch {
    return undefined;
  }
}

type ComponentName = 'containerd' | 'kube-controller-manager' | 'kube-scheduler' | 'kube-proxy' | 'kubelet';

interface NodeProcess {
  name: ComponentName;
  pid: number;
  binary: string;
}

/** What `<stateDir>/state.json` holds. */
export interface NodeState {
  kubeconfigPath: string;
  server: string;
  binDir: string;
  seccompDefault: boolean;
  processes: NodeProcess[];
}

const log = (message: string) => console.error(`node: ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(command: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { timeout: timeoutMs, maxBuffer: 64 << 20 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`${command} ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
}

/** Like run, for cleanup steps: a failure is logged, never thrown. */
async function tryRun(command: string, args: readonly string[], timeoutMs = 60_000): Promise<boolean> {
  try {
    await run(command, args, timeoutMs);
    return true;
  } catch (error) {
    log(`(cleanup) ${(error as Error).message}`);
    return false;
  }
}

/** hack/node/build.sh: builds on a cold cache, prints the directory with bin/, cni/ and images/. */
async function locateNodeBinaries(): Promise<string> {
  return runBuildScript(path.join(repoRoot, 'hack', 'node', 'build.sh'));
}

export function readNodeState(): NodeState | undefined {
  const file = path.join(stateDir, 'state.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as NodeState;
}

async function writeNodeState(state: NodeState): Promise<void> {
  await writeFile(path.join(stateDir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

export function nodeAlive(state: NodeState): boolean {
  const controlPlane = readStateIn(controlPlaneDir);
  return (
    controlPlane !== undefined &&
    controlPlane.processes.every(isOurProcess) &&
    state.processes.every(isOurProcess)
  );
}

function isCgroupV2(): boolean {
  return existsSync('/sys/fs/cgroup/cgroup.controllers');
}

async function preflight(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the node needs root: the kubelet, containerd and CNI make namespaces, cgroups and links',
    );
  }
  for (const tool of ['runc', 'ip', 'nft', 'iptables', 'mount', 'umount']) {
    try {
      await run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      throw new Error(`${tool} is not installed (Debian: apt-get install runc iproute2 nftables iptables)`);
    }
  }
}

async function createBridge(): Promise<void> {
  await run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  await run('ip', ['addr', 'add', `${BRIDGE_ADDRESS}/24`, 'dev', BRIDGE]);
  await run('ip', ['link', 'set', BRIDGE, 'up']);
}

/** containerd 2's config (version 3): every path under our two directories, runc from PATH (Debian's). */
function containerdConfig(binDir: string, pauseImage: string): string {
  const cri = "plugins.'io.containerd.cri.v1.runtime'";
  return [
    'version = 3',
    `root = ${JSON.stringify(path.join(stateDir, 'containerd'))}`,
    `state = ${JSON.stringify(path.join(runDir, 'containerd'))}`,
    // Only overlayfs is used; the others would only log that they cannot start.
    "disabled_plugins = ['io.containerd.snapshotter.v1.btrfs', 'io.containerd.snapshotter.v1.zfs', 'io.containerd.snapshotter.v1.devmapper', 'io.containerd.snapshotter.v1.blockfile', 'io.containerd.nri.v1.nri']",
    '[grpc]',
    `  address = ${JSON.stringify(containerdSocket)}`,
    '[ttrpc]',
    `  address = ${JSON.stringify(path.join(runDir, 'containerd.sock.ttrpc'))}`,
    "[plugins.'io.containerd.internal.v1.opt']",
    `  path = ${JSON.stringify(path.join(stateDir, 'containerd-opt'))}`,
    "[plugins.'io.containerd.grpc.v1.cri']",
    "  stream_server_address = '127.0.0.1'",
    "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
    `  sandbox = ${JSON.stringify(pauseImage)}`,
    `[${cri}]`,
    // Network namespaces under the state directory, not /var/run/netns: `down` removes them with it.
    '  netns_mounts_under_state_dir = true',
    // The root of these VMs lacks CAP_SYS_RESOURCE, so a negative oom_score_adj (the kubelet asks -998 for
    // sandboxes) fails in runc; this keeps every container at or above containerd's own (0).
    '  restrict_oom_score_adj = true',
    `[${cri}.cni]`,
    `  bin_dirs = [${JSON.stringify(path.join(binDir, 'cni'))}]`,
    `  conf_dir = ${JSON.stringify(path.join(stateDir, 'cni', 'net.d'))}`,
    `[${cri}.containerd.runtimes.runc]`,
    "  runtime_type = 'io.containerd.runc.v2'",
    `[${cri}.containerd.runtimes.runc.options]`,
    "  BinaryName = 'runc'",
    `  Root = ${JSON.stringify(path.join(runDir, 'runc'))}`,
    '  SystemdCgroup = false',
    '',
  ].join('\n');
}

function cniConfig(): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'kube-patrol-node',
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          isGateway: true,
          // No masquerading: pods reach this machine (the API server on the bridge), nothing beyond it.
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: POD_CIDR, gateway: BRIDGE_ADDRESS }]],
            // A route to the Service range only (through the bridge, where kube-proxy's rules translate it), no
            // default route: pods reach this machine, nothing beyond.
            routes: [{ dst: SERVICE_CIDR }],
            dataDir: path.join(stateDir, 'cni', 'ipam'),
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

function kubeletConfig(pki: string, seccompDefault: boolean): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: BRIDGE_ADDRESS,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: path.join(pki, 'ca.crt') },
    },
    authorization: { mode: 'Webhook' },
    tlsCertFile: path.join(pki, 'kubelet-serving.crt'),
    tlsPrivateKeyFile: path.join(pki, 'kubelet-serving.key'),
    containerRuntimeEndpoint: `unix://${containerdSocket}`,
    // No systemd on these machines (PID 1 is not systemd), so cgroupfs; the kubelet of v1.35+ refuses
    // cgroup v1 unless told otherwise, and these VMs mount v1 hierarchies.
    cgroupDriver: 'cgroupfs',
    ...(isCgroupV2() ? {} : { failCgroupV1: false }),
    failSwapOn: false,
    // Its default -999 needs CAP_SYS_RESOURCE, which these VMs' root lacks (see restrict_oom_score_adj).
    oomScoreAdj: 0,
    seccompDefault,
    podLogsDir: path.join(stateDir, 'pod-logs'),
    // Images are imported, never pulled: image garbage collection must not remove them, and a busy CI disk
    // must not evict the test pods.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: {
      'memory.available': '50Mi',
      'nodefs.available': '1%',
      'imagefs.available': '1%',
      'nodefs.inodesFree': '1%',
    },
    clusterDomain: 'cluster.local',
    resolvConf: '/etc/resolv.conf',
  });
}

function kubeProxyConfig(kubeconfig: string): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'nftables',
    clientConnection: { kubeconfig },
    hostnameOverride: NODE_NAME,
    clusterCIDR: POD_CIDR,
    bindAddress: BRIDGE_ADDRESS,
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    nodePortAddresses: [POD_CIDR],
    // 0: leave the machine's conntrack settings as they are.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}

/** Detached, in its own process group, outliving this process (stopped by `down`). */
function start(
  name: ComponentName,
  binary: string,
  args: string[],
): { process: NodeProcess; child: ChildProcess } {
  const child = launch(binary, path.join(stateDir, 'logs', `${name}.log`), args);
  const started = { process: { name, pid: pidOf(child), binary }, child };
  child.unref();
  return started;
}

async function commandSucceeds(command: string, args: readonly string[]): Promise<boolean> {
  try {
    await execFileAsync(command, args, { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

function ctrArgs(...args: string[]): string[] {
  return ['--address', containerdSocket, '--namespace', 'k8s.io', ...args];
}

export async function importImage(binDir: string, archive: string): Promise<void> {
  await run(path.join(binDir, 'bin', 'ctr'), ctrArgs('images', 'import', '--local', archive), 300_000);
}

/** crictl against the node's containerd; returns its stdout. */
export async function crictl(state: NodeState, ...args: string[]): Promise<string> {
  return run(path.join(state.binDir, 'bin', 'crictl'), [
    '--runtime-endpoint',
    `unix://${containerdSocket}`,
    ...args,
  ]);
}

/** The host pid of a running container (`containerd://ID` as in a pod's containerStatuses, or the bare ID). */
export async function containerPid(state: NodeState, containerId: string): Promise<number> {
  const id = containerId.replace(/^containerd:\/\//, '');
  const inspected = JSON.parse(await crictl(state, 'inspect', id)) as { info?: { pid?: number } };
  const pid = inspected.info?.pid;
  if (!pid) throw new Error(`crictl inspect ${id} shows no pid`);
  return pid;
}

function kubeClient(kubeconfigPath: string): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return kc.makeApiClient(CoreV1Api);
}

async function nodeReady(core: CoreV1Api): Promise<boolean> {
  try {
    const node = await core.readNode({ name: NODE_NAME });
    return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  } catch {
    return false;
  }
}

/** The kubelet's live configuration, through the API server's node proxy (as `kube-patrol scan --nodes`). */
export async function kubeletConfigz(kubeconfigPath: string): Promise<Record<string, unknown> | undefined> {
  try {
    const api = connect({ kubeconfig: kubeconfigPath, retries: 0 });
    const body = await api.request<{ kubeletconfig?: Record<string, unknown> }>(
      'GET',
      `/api/v1/nodes/${NODE_NAME}/proxy/configz`,
    );
    return body.kubeletconfig;
  } catch {
    return undefined;
  }
}

async function startKubelet(
  binDir: string,
  seccompDefault: boolean,
): Promise<{ process: NodeProcess; child: ChildProcess }> {
  const pki = path.join(controlPlaneDir, 'pki');
  const config = path.join(stateDir, 'kubelet-config.yaml');
  await writeFile(config, kubeletConfig(pki, seccompDefault));
  return start('kubelet', path.join(binDir, 'bin', 'kubelet'), [
    `--config=${config}`,
    `--kubeconfig=${path.join(stateDir, 'kubeconfigs', 'kubelet.kubeconfig')}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${BRIDGE_ADDRESS}`,
    `--root-dir=${path.join(stateDir, 'kubelet')}`,
    '--v=1',
  ]);
}

async function waitForKubelet(
  kubeconfigPath: string,
  kubelet: { child: ChildProcess },
  seccompDefault: boolean,
  timeoutMs: number,
): Promise<void> {
  const core = kubeClient(kubeconfigPath);
  await waitFor(
    'kubelet (node Ready, configz)',
    kubelet.child,
    path.join(stateDir, 'logs', 'kubelet.log'),
    timeoutMs,
    async () => {
      if (!(await nodeReady(core))) return false;
      const configz = await kubeletConfigz(kubeconfigPath);
      return configz !== undefined && (configz['seccompDefault'] === true) === seccompDefault;
    },
  );
}

/** Brings the node up (or reuses a running one); returns its state. */
export async function up(seccompDefault: boolean): Promise<NodeState> {
  const existing = readNodeState();
  if (existing && nodeAlive(existing)) {
    if (existing.seccompDefault !== seccompDefault) await restartKubelet(existing, seccompDefault);
    else log(`already running (seccompDefault ${existing.seccompDefault})`);
    return existing;
  }
  const owner = machineOwner();
  if (owner !== undefined && owner !== stateDir) {
    throw new Error(
      `a node started from ${owner} runs on this machine (${ownerFile}); one node per machine: use it, or stop ` +
        'it with `make node-down` in that checkout',
    );
  }
  if (owner === undefined && (await linkExists(BRIDGE))) {
    throw new Error(
      `the bridge ${BRIDGE} exists but ${ownerFile} does not: another node may be starting or stopping here; ` +
        `if it is a leftover, remove it with \`ip link del ${BRIDGE}\``,
    );
  }
  if (existing || existsSync(stateDir) || owner === stateDir) {
    log('removing what an earlier run left');
    await down();
  }
  await preflight();
  const began = Date.now();
  const binDir = await locateNodeBinaries();
  const controlPlaneBin = await locateTestBinaries();
  const foreign = processesOf(['kubelet', 'containerd'].map((name) => path.join(binDir, 'bin', name)));
  if (foreign.length > 0) {
    throw new Error(
      `another node's kubelet or containerd runs on this machine (pids ${foreign.join(', ')}); one node per ` +
        'machine: stop it with `make node-down` in its checkout',
    );
  }
  const built = Date.now();
  try {
    await mkdir(path.join(stateDir, 'logs'), { recursive: true });
    await mkdir(path.join(stateDir, 'kubeconfigs'), { recursive: true });
    await mkdir(path.join(stateDir, 'cni', 'net.d'), { recursive: true });
    await mkdir(runDir, { recursive: true });
    await writeFile(ownerFile, `${stateDir}\n`);
    const processes: NodeProcess[] = [];
    // Written early and kept current: a failed `up` (or a later `down`) knows what to stop.
    const state: NodeState = { kubeconfigPath: '', server: '', binDir, seccompDefault, processes };
    await writeNodeState(state);

    await createBridge();
    const controlPlane = await startControlPlane({
      binDir: controlPlaneBin,
      dir: controlPlaneDir,
      detached: true,
      node: { address: BRIDGE_ADDRESS },
      // What a kubelet may change of nodes and pods (its own only).
      extraApiServerArgs: ['--enable-admission-plugins=NodeRestriction'],
    });
    state.kubeconfigPath = controlPlane.kubeconfigPath;
    state.server = controlPlane.server;
    await writeNodeState(state);
    log(`kube-apiserver ready at ${controlPlane.server}`);

    const pki = path.join(controlPlaneDir, 'pki');
    const kubeconfigs: Record<string, string> = {};
    const clients: [string, string][] = [
      ['kubelet', `/O=system:nodes/CN=system:node:${NODE_NAME}`],
      ['kube-controller-manager', '/CN=system:kube-controller-manager'],
      ['kube-scheduler', '/CN=system:kube-scheduler'],
      ['kube-proxy', '/CN=system:kube-proxy'],
    ];
    const ca = readFileSync(path.join(pki, 'ca.crt'));
    for (const [name, subject] of clients) {
      const { cert, key } = await issueCertificate(pki, name, subject);
      const file = path.join(stateDir, 'kubeconfigs', `${name}.kubeconfig`);
      await writeFile(
        file,
        kubeconfigYaml(controlPlane.server, ca, { 'client-certificate': cert, 'client-key': key }),
        { mode: 0o600 },
      );
      kubeconfigs[name] = file;
    }
    await issueCertificate(pki, 'kubelet-serving', `/CN=${NODE_NAME}`, [
      `IP:${BRIDGE_ADDRESS}`,
      `DNS:${NODE_NAME}`,
    ]);

    const pauseImage = readFileSync(path.join(binDir, 'images', 'pause.ref'), 'utf8').trim();
    const containerdConfigFile = path.join(stateDir, 'containerd.toml');
    await writeFile(containerdConfigFile, containerdConfig(binDir, pauseImage));
    await writeFile(path.join(stateDir, 'cni', 'net.d', '10-kube-patrol-node.conflist'), cniConfig());
    const ctr = path.join(binDir, 'bin', 'ctr');
    // containerd finds its shim on PATH.
    process.env['PATH'] = `${path.join(binDir, 'bin')}:${process.env['PATH'] ?? ''}`;
    const containerd = start('containerd', path.join(binDir, 'bin', 'containerd'), [
      `--config=${containerdConfigFile}`,
    ]);
    processes.push(containerd.process);
    await writeNodeState(state);
    await waitFor('containerd', containerd.child, path.join(stateDir, 'logs', 'containerd.log'), 30_000, () =>
      commandSucceeds(ctr, ctrArgs('version')),
    );
    for (const image of ['pause.tar', 'busybox.tar'])
      await importImage(binDir, path.join(binDir, 'images', image));
    log(
      `containerd ready; imported ${pauseImage} and ${readFileSync(path.join(binDir, 'images', 'busybox.ref'), 'utf8').trim()}`,
    );

    const bin = (name: string) => path.join(binDir, 'bin', name);
    processes.push(
      start('kube-controller-manager', bin('kube-controller-manager'), [
        `--kubeconfig=${kubeconfigs['kube-controller-manager']}`,
        '--bind-address=127.0.0.1',
        '--leader-elect=false',
        // Each controller with its own ServiceAccount, as kubeadm runs it: the bootstrap RBAC roles expect that.
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${path.join(pki, 'sa.key')}`,
        `--root-ca-file=${path.join(pki, 'ca.crt')}`,
        `--cluster-signing-cert-file=${path.join(pki, 'ca.crt')}`,
        `--cluster-signing-key-file=${path.join(pki, 'ca.key')}`,
      ]).process,
      start('kube-scheduler', bin('kube-scheduler'), [
        `--kubeconfig=${kubeconfigs['kube-scheduler']}`,
        '--bind-address=127.0.0.1',
        '--leader-elect=false',
      ]).process,
    );
    const kubeProxyConfigFile = path.join(stateDir, 'kube-proxy.yaml');
    await writeFile(kubeProxyConfigFile, kubeProxyConfig(kubeconfigs['kube-proxy'] ?? ''));
    processes.push(start('kube-proxy', bin('kube-proxy'), [`--config=${kubeProxyConfigFile}`]).process);
    const kubelet = await startKubelet(binDir, seccompDefault);
    processes.push(kubelet.process);
    await writeNodeState(state);
    await waitForKubelet(state.kubeconfigPath, kubelet, seccompDefault, 180_000);
    await waitForDefaultServiceAccount(state.kubeconfigPath);
    log(
      `node ${NODE_NAME} Ready (seccompDefault ${seccompDefault}) in ${Math.round((Date.now() - built) / 1000)}s ` +
        `(binaries located in ${Math.round((built - began) / 1000)}s); API server ${state.server}; logs in ` +
        `${path.relative(process.cwd(), path.join(stateDir, 'logs')) || '.'}/; stop it with: make node-down`,
    );
    return state;
  } catch (error) {
    log('start-up failed; cleaning up (the logs are copied to /tmp/kube-patrol-node-logs)');
    await rm('/tmp/kube-patrol-node-logs', { recursive: true, force: true });
    await tryRun('cp', ['-r', path.join(stateDir, 'logs'), '/tmp/kube-patrol-node-logs']);
    await down();
    throw error;
  }
}

/** Pods of a new namespace need its `default` ServiceAccount, which the controller-manager makes. */
async function waitForDefaultServiceAccount(kubeconfigPath: string): Promise<void> {
  const core = kubeClient(kubeconfigPath);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      await core.readNamespacedServiceAccount({ namespace: 'default', name: 'default' });
      return;
    } catch {
      await sleep(250);
    }
  }
  throw new Error('the controller-manager made no default ServiceAccount in 60 s');
}

export async function restartKubelet(state: NodeState, seccompDefault: boolean): Promise<void> {
  const began = Date.now();
  const old = state.processes.find((p) => p.name === 'kubelet');
  if (old && isOurProcess(old)) await stopProcessGroup(old.pid, 10_000);
  const kubelet = await startKubelet(state.binDir, seccompDefault);
  state.processes = [...state.processes.filter((p) => p.name !== 'kubelet'), kubelet.process];
  state.seccompDefault = seccompDefault;
  await writeNodeState(state);
  await waitForKubelet(state.kubeconfigPath, kubelet, seccompDefault, 120_000);
  log(
    `kubelet restarted with seccompDefault ${seccompDefault} in ${Math.round((Date.now() - began) / 1000)}s`,
  );
}

async function linkExists(name: string): Promise<boolean> {
  return commandSucceeds('ip', ['link', 'show', name]);
}

function mountsUnder(...dirs: string[]): string[] {
  let table: string;
  try {
    table = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const points = table
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    // mountinfo escapes spaces and such as octal.
    .map((point) =>
      point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))),
    )
    .filter((point) => dirs.some((dir) => point === dir || point.startsWith(`${dir}/`)));
  // Deepest first, so a mount is never left under another.
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Processes whose executable is one of ours (the shims outlive containerd, in their own sessions). */
function processesOf(binaries: readonly string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (binaries.includes(readlinkSync(`/proc/${entry}/exe`))) pids.push(Number(entry));
    } catch {
      // gone, or a kernel thread
    }
  }
  return pids;
}

/** Cgroups the kubelet made (kubepods and below), deepest first; each is empty once its pods are gone. */
async function removeKubeletCgroups(): Promise<void> {
  const roots = [
    '/sys/fs/cgroup',
    ...(isCgroupV2() ? [] : readdirSync('/sys/fs/cgroup').map((c) => `/sys/fs/cgroup/${c}`)),
  ];
  for (const root of roots) {
    const top = path.join(root, 'kubepods');
    if (!existsSync(top)) continue;
    const dirs: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(path.join(dir, entry.name));
      }
      dirs.push(dir);
    };
    walk(top);
    for (const dir of dirs) await tryRun('rmdir', [dir]);
  }
}

/**
 * The kubelet's iptables chains: canaries (it checks with them whether someone flushed the firewall) and
 * KUBE-FIREWALL (drops non-local traffic to 127.0.0.0/8), with the jumps to it.
 */
async function removeKubeletChains(): Promise<void> {
  for (const command of ['iptables', 'ip6tables']) {
    for (const hook of ['INPUT', 'OUTPUT']) {
      while (await commandSucceeds(command, ['-t', 'filter', '-D', hook, '-j', 'KUBE-FIREWALL']));
    }
    for (const table of ['mangle', 'nat', 'filter']) {
      for (const chain of ['KUBE-KUBELET-CANARY', 'KUBE-IPTABLES-HINT', 'KUBE-FIREWALL']) {
        if (await commandSucceeds(command, ['-t', table, '-n', '-L', chain])) {
          await tryRun(command, ['-t', table, '-F', chain]);
          await tryRun(command, ['-t', table, '-X', chain]);
        }
      }
    }
  }
}

/**
 * Paths the components use whatever they are configured with: containerd's shim sockets
 * (/run/containerd/s), libcni's result cache, the kubelet's device-plugin socket. Removed only when
 * nothing but ours is left in them (rmdir fails on a non-empty directory).
 */
async function removeFixedPaths(): Promise<void> {
  const socket = '/var/lib/kubelet/device-plugins/kubelet.sock';
  if (existsSync(socket)) await rm(socket, { force: true });
  for (const dir of [
    '/run/containerd/s',
    '/run/containerd',
    '/var/lib/cni/results',
    '/var/lib/cni',
    '/var/lib/kubelet/device-plugins',
    '/var/lib/kubelet',
  ]) {
    if (existsSync(dir)) await commandSucceeds('rmdir', [dir]);
  }
}

export async function down(): Promise<void> {
  const state = readNodeState();
  // The machine-wide parts are another checkout's while it owns them: then only our own directory goes.
  const owner = machineOwner();
  const ownsMachine = owner === stateDir;
  if (owner !== undefined && !ownsMachine) log(`the machine's node is ${owner}'s: leaving it alone`);
  const stop = async (name: ComponentName) => {
    for (const p of state?.processes.filter((q) => q.name === name) ?? []) {
      if (isOurProcess(p)) await stopProcessGroup(p.pid, 10_000);
    }
  };
  await stop('kubelet');
  const binDir = state?.binDir;
  const containerd = state?.processes.find((p) => p.name === 'containerd');
  if (binDir && containerd && isOurProcess(containerd)) {
    // Every pod: its containers stopped, its network torn down by CNI DEL, its sandbox removed.
    await tryRun(
      path.join(binDir, 'bin', 'crictl'),
      ['--runtime-endpoint', `unix://${containerdSocket}`, 'rmp', '--all', '--force'],
      120_000,
    );
  }
  await stop('kube-proxy');
  await stop('kube-scheduler');
  await stop('kube-controller-manager');
  await stop('containerd');
  if (binDir && ownsMachine) {
    for (const pid of processesOf([path.join(binDir, 'bin', 'containerd-shim-runc-v2')]))
      await stopProcessGroup(pid, 5000);
    // kube-proxy's own cleanup: its nftables tables (and any iptables chains of another mode).
    const kubeProxy = path.join(binDir, 'bin', 'kube-proxy');
    if (existsSync(kubeProxy)) await tryRun(kubeProxy, ['--cleanup']);
  }
  await stopControlPlaneInDir(controlPlaneDir);
  const ours = ownsMachine ? [stateDir, runDir] : [stateDir];
  for (const point of mountsUnder(...ours)) {
    if (!(await tryRun('umount', [point]))) await tryRun('umount', ['-l', point]);
  }
  if (ownsMachine) {
    await removeKubeletChains();
    await removeKubeletCgroups();
    if (await linkExists(BRIDGE)) await tryRun('ip', ['link', 'del', BRIDGE]);
    await removeFixedPaths();
  }
  const left = mountsUnder(...ours);
  if (left.length > 0) {
    throw new Error(`not removing ${ours.join(' and ')}: still mounted there: ${left.join(', ')}`);
  }
  // --one-file-system: even a mount this missed is never descended into. runDir (and its owner file) last.
  for (const dir of ours) {
    if (existsSync(dir)) await run('rm', ['-rf', '--one-file-system', dir]);
  }
  await rm(stateDir, { recursive: true, force: true });
  log(state ? 'stopped; the node state is removed' : 'nothing was running; leftovers removed');
}
