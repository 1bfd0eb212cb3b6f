// A real etcd + kube-apiserver on loopback for integration tests and `node hack/testenv.ts up`.
// No controller-manager, scheduler or kubelet runs: namespaces are never finalized, pods never scheduled,
// and no `default` ServiceAccount appears in new namespaces (so ServiceAccount admission is disabled).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

const execFileAsync = promisify(execFile);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StartControlPlaneOptions {
  /** Directory holding `kube-apiserver` and `etcd`; default: whatever `hack/testbin/build.sh` prints. */
  binDir?: string;
  /** State directory (PKI, etcd data, logs, kubeconfigs); default: a fresh temp dir. Removed by stop(). */
  dir?: string;
  /**
   * Let the processes outlive this Node process (for `hack/testenv.ts up`). Without it they are killed
   * when this process exits or gets SIGINT/SIGTERM/SIGHUP.
   */
  detached?: boolean;
  readyTimeoutMs?: number;
  extraApiServerArgs?: readonly string[];
  /**
   * For a control plane with a node (hack/node): serve on `address` (the node bridge's, which pods reach)
   * instead of loopback, with the `kubernetes` Service's endpoints published and ServiceAccount admission on
   * (a controller-manager makes the ServiceAccounts), and a kubelet client certificate for the API server.
   */
  node?: { address: string };
}

export interface ControlPlaneProcess {
  name: 'etcd' | 'kube-apiserver';
  pid: number;
  /** Absolute path of the binary, checked against /proc before a later process signals the pid. */
  binary: string;
  port: number;
}

/** What `state.json` in the control plane directory holds, enough for another process to stop it. */
export interface ControlPlaneState {
  dir: string;
  server: string;
  kubeconfigPath: string;
  processes: ControlPlaneProcess[];
}

export interface ControlPlane extends ControlPlaneState {
  stop(): Promise<void>;
  /** Writes a kubeconfig authenticating as that ServiceAccount (created when missing); returns its path. */
  mintServiceAccountKubeconfig(namespace: string, name: string): Promise<string>;
}

export class ControlPlaneStartError extends Error {
  override readonly name = 'ControlPlaneStartError';
}

/** Runs hack/testbin/build.sh (which builds only on a cold cache) and returns the binaries' directory. */
export async function locateTestBinaries(): Promise<string> {
  return runBuildScript(path.join(repoRoot, 'hack', 'testbin', 'build.sh'));
}

/** Runs a build script that prints its output directory on the last stdout line (progress on stderr). */
export async function runBuildScript(script: string): Promise<string> {
  const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const dir = stdout.trim().split('\n').at(-1)?.trim();
  if (code !== 0 || !dir) throw new Error(`${script} failed (exit ${code}); see its output above`);
  return dir;
}

export async function startControlPlane(options: StartControlPlaneOptions = {}): Promise<ControlPlane> {
  const binDir = options.binDir ?? (await locateTestBinaries());
  const binaries = { etcd: path.join(binDir, 'etcd'), apiserver: path.join(binDir, 'kube-apiserver') };
  for (const binary of Object.values(binaries)) {
    if (!existsSync(binary)) throw new ControlPlaneStartError(`missing ${binary}; run hack/testbin/build.sh`);
  }
  const dir = options.dir
    ? path.resolve(options.dir)
    : await mkdtemp(path.join(os.tmpdir(), 'kube-patrol-cp-'));
  await mkdir(dir, { recursive: true });
  const detached = options.detached ?? false;
  const running: { process: ControlPlaneProcess; child: ChildProcess }[] = [];
  const abort = async (error: unknown): Promise<never> => {
    await stopProcesses(running.map((r) => r.process));
    await rm(dir, { recursive: true, force: true });
    throw error;
  };

  try {
    const address = options.node?.address ?? '127.0.0.1';
    const pki = await makePki(dir, options.node ? [`IP:${address}`, ...SERVICE_SANS] : []);
    const [etcdPort, etcdPeerPort] = (await reservePorts(2)) as [number, number];
    const [apiserverPort] = (await reservePorts(1, address)) as [number];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const server = `https://${address}:${apiserverPort}`;
    const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;

    const etcd = launch(binaries.etcd, path.join(dir, 'etcd.log'), [
      '--name=default',
      `--data-dir=${path.join(dir, 'etcd-data')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      // Throwaway data: durability buys nothing and fsync dominates etcd latency on CI disks.
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ]);
    running.push({
      child: etcd,
      process: { name: 'etcd', pid: pidOf(etcd), binary: binaries.etcd, port: etcdPort },
    });
    await waitFor('etcd', etcd, path.join(dir, 'etcd.log'), readyTimeoutMs, () => etcdHealthy(etcdUrl));

    const apiserver = launch(binaries.apiserver, path.join(dir, 'kube-apiserver.log'), [
      `--etcd-servers=${etcdUrl}`,
      `--bind-address=${address}`,
      `--advertise-address=${address}`,
      // Since 1.37 the endpoint reconciler refuses a loopback advertise address; without a node nothing
      // needs the `kubernetes` Service's endpoints, since no pod ever runs.
      ...(options.node ? [] : ['--endpoint-reconciler-type=none']),
      `--secure-port=${apiserverPort}`,
      `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      // With a node: the kubelet's own permissions come from the Node authorizer.
      options.node ? '--authorization-mode=Node,RBAC' : '--authorization-mode=RBAC',
      '--allow-privileged=true',
      '--service-cluster-ip-range=10.0.0.0/24',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      // Without a node, pods would need the namespace's `default` ServiceAccount, which only a controller
      // creates, so ServiceAccount admission is off.
      ...(options.node
        ? [
            `--kubelet-client-certificate=${pki.kubeletClientCert}`,
            `--kubelet-client-key=${pki.kubeletClientKey}`,
            // The node's name resolves nowhere: the API server reaches the kubelet at its address.
            '--kubelet-preferred-address-types=InternalIP',
          ]
        : ['--disable-admission-plugins=ServiceAccount']),
      '--profiling=false',
      ...(options.extraApiServerArgs ?? []),
    ]);
    running.push({
      child: apiserver,
      process: {
        name: 'kube-apiserver',
        pid: pidOf(apiserver),
        binary: binaries.apiserver,
        port: apiserverPort,
      },
    });

    const kubeconfigPath = path.join(dir, 'admin.kubeconfig');
    await writeFile(
      kubeconfigPath,
      kubeconfigYaml(server, await readFile(pki.caCert), {
        'client-certificate-data': (await readFile(pki.adminCert)).toString('base64'),
        'client-key-data': (await readFile(pki.adminKey)).toString('base64'),
      }),
      { mode: 0o600 },
    );
    const tls = {
      ca: await readFile(pki.caCert),
      cert: await readFile(pki.adminCert),
      key: await readFile(pki.adminKey),
    };
    await waitFor('kube-apiserver', apiserver, path.join(dir, 'kube-apiserver.log'), readyTimeoutMs, () =>
      apiserverReady(server, tls),
    );

    const state: ControlPlaneState = {
      dir,
      server,
      kubeconfigPath,
      processes: running.map((r) => r.process),
    };
    await writeFile(path.join(dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
    if (detached) for (const { child } of running) child.unref();

    let stopped: Promise<void> | undefined;
    const controlPlane: ControlPlane = {
      ...state,
      stop: () => {
        stopped ??= (async () => {
          await stopProcesses(state.processes);
          await rm(dir, { recursive: true, force: true });
          forgetOnExit(controlPlane);
        })();
        return stopped;
      },
      mintServiceAccountKubeconfig: (namespace, name) =>
        mintServiceAccountKubeconfig(kubeconfigPath, namespace, name),
    };
    if (!detached) killOnExit(controlPlane);
    return controlPlane;
  } catch (error) {
    return abort(error);
  }
}

/** Stops the control plane whose state.json lives in `dir` (if any) and removes `dir`. */
export async function stopControlPlaneInDir(dir: string): Promise<void> {
  const state = readStateIn(dir);
  if (state) await stopProcesses(state.processes);
  await rm(dir, { recursive: true, force: true });
}

export function readStateIn(dir: string): ControlPlaneState | undefined {
  const file = path.join(dir, 'state.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ControlPlaneState;
}

/** True when every recorded process still runs the recorded binary (pids are reused after a reboot). */
export function isStateAlive(state: ControlPlaneState): boolean {
  return state.processes.every(isOurProcess);
}

/**
 * Uses the TokenRequest API (no token controller needed) to write a kubeconfig that authenticates as
 * ServiceAccount `namespace/name`, next to the admin kubeconfig unless `outFile` is given.
 */
export async function mintServiceAccountKubeconfig(
  adminKubeconfigPath: string,
  namespace: string,
  name: string,
  options: { outFile?: string; expirationSeconds?: number } = {},
): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 409)) {
      throw new Error(`creating ServiceAccount ${namespace}/${name}`, { cause: error });
    }
  }
  const tokenRequest = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: options.expirationSeconds ?? 3600 } },
  });
  const token = tokenRequest.status?.token;
  if (!token) throw new Error(`TokenRequest for ServiceAccount ${namespace}/${name} returned no token`);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.caData) throw new Error(`${adminKubeconfigPath} has no certificate-authority-data`);
  const outFile =
    options.outFile ?? path.join(path.dirname(adminKubeconfigPath), `sa-${namespace}-${name}.kubeconfig`);
  await writeFile(outFile, kubeconfigYaml(cluster.server, Buffer.from(cluster.caData, 'base64'), { token }), {
    mode: 0o600,
  });
  return outFile;
}

export function kubeconfigYaml(server: string, caCert: Buffer, user: Record<string, string>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'kube-patrol-test',
        cluster: { server, 'certificate-authority-data': caCert.toString('base64') },
      },
    ],
    users: [{ name: 'kube-patrol-test', user }],
    contexts: [
      { name: 'kube-patrol-test', context: { cluster: 'kube-patrol-test', user: 'kube-patrol-test' } },
    ],
    'current-context': 'kube-patrol-test',
  });
}

interface Pki {
  caCert: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
  /** The API server's client certificate towards kubelets (system:masters, so their webhook allows it). */
  kubeletClientCert: string;
  kubeletClientKey: string;
}

/** The names in-cluster clients use for the API server: the `kubernetes` Service (10.0.0.0/24's first IP). */
const SERVICE_SANS = [
  'IP:10.0.0.1',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
];

// Our own config so the system openssl.cnf (which differs between distributions) plays no part.
const opensslConfig = `
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

async function openssl(pkiDir: string, ...args: string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd: pkiDir });
  } catch (error) {
    throw new ControlPlaneStartError(`openssl ${args[0]} failed while making the test PKI in ${pkiDir}`, {
      cause: error,
    });
  }
}

const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const days = ['-days', '365'];

/**
 * Issues `<pkiDir>/<name>.{crt,key}` from the test CA in `pkiDir` (made by startControlPlane): a client
 * certificate for `subject` (`/O=group/CN=user`), or a serving one when `servingSans` (`IP:…`, `DNS:…`) is given.
 */
export async function issueCertificate(
  pkiDir: string,
  name: string,
  subject: string,
  servingSans?: readonly string[],
): Promise<{ cert: string; key: string }> {
  const file = (suffix: string) => path.join(pkiDir, `${name}${suffix}`);
  const config = path.join(pkiDir, 'openssl.cnf');
  if (!existsSync(config)) await writeFile(config, opensslConfig);
  let extensions = ['-extfile', config, '-extensions', 'client'];
  if (servingSans) {
    await writeFile(
      file('.ext'),
      [
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature, keyEncipherment',
        'extendedKeyUsage = serverAuth',
        `subjectAltName = ${servingSans.join(', ')}`,
        'authorityKeyIdentifier = keyid',
        '',
      ].join('\n'),
    );
    extensions = ['-extfile', file('.ext')];
  }
  await openssl(
    pkiDir,
    'req',
    '-config',
    config,
    '-new',
    ...newKey,
    '-subj',
    subject,
    '-keyout',
    file('.key'),
    '-out',
    file('.csr'),
  );
  await openssl(
    pkiDir,
    'x509',
    '-req',
    '-in',
    file('.csr'),
    '-CA',
    path.join(pkiDir, 'ca.crt'),
    '-CAkey',
    path.join(pkiDir, 'ca.key'),
    '-set_serial',
    `0x${randomSerial()}`,
    ...days,
    ...extensions,
    '-out',
    file('.crt'),
  );
  return { cert: file('.crt'), key: file('.key') };
}

async function makePki(dir: string, extraServingSans: readonly string[]): Promise<Pki> {
  const pkiDir = path.join(dir, 'pki');
  await mkdir(pkiDir, { recursive: true, mode: 0o700 });
  const file = (name: string) => path.join(pkiDir, name);
  const config = file('openssl.cnf');
  await writeFile(config, opensslConfig);

  await openssl(
    pkiDir,
    'req',
    '-config',
    config,
    '-x509',
    ...newKey,
    ...days,
    '-extensions',
    'ca',
    '-subj',
    '/CN=kube-patrol-test-ca',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
  );
  await issueCertificate(pkiDir, 'apiserver', '/CN=kube-apiserver', [
    'IP:127.0.0.1',
    'DNS:localhost',
    ...extraServingSans,
  ]);
  await issueCertificate(pkiDir, 'admin', '/O=system:masters/CN=kube-patrol-admin');
  if (extraServingSans.length > 0) {
    await issueCertificate(
      pkiDir,
      'apiserver-kubelet-client',
      '/O=system:masters/CN=kube-apiserver-kubelet-client',
    );
  }
  await openssl(
    pkiDir,
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    file('sa.key'),
  );
  await openssl(pkiDir, 'pkey', '-in', file('sa.key'), '-pubout', '-out', file('sa.pub'));
  return {
    caCert: file('ca.crt'),
    servingCert: file('apiserver.crt'),
    servingKey: file('apiserver.key'),
    adminCert: file('admin.crt'),
    adminKey: file('admin.key'),
    serviceAccountKey: file('sa.key'),
    serviceAccountPublicKey: file('sa.pub'),
    kubeletClientCert: file('apiserver-kubelet-client.crt'),
    kubeletClientKey: file('apiserver-kubelet-client.key'),
  };
}

function randomSerial(): string {
  return Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16))
    .join('')
    .replace(/^0/, '1');
}

/** Holds all listeners open at once so the ports differ; another process may still grab one before use. */
async function reservePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      const server = createServer();
      return new Promise<typeof server>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, () => resolve(server));
      });
    }),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Each process leads its own process group, so stopping it signals the group and Ctrl-C in a terminal does not. */
export function launch(binary: string, logFile: string, args: string[]): ChildProcess {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', log, log] });
    child.once('error', () => undefined); // a failed spawn leaves `pid` undefined, which pidOf reports
    return child;
  } finally {
    closeSync(log);
  }
}

export function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new ControlPlaneStartError(`could not start ${child.spawnfile}`);
  return child.pid;
}

export async function waitFor(
  what: string,
  child: ChildProcess,
  logFile: string,
  timeoutMs: number,
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ControlPlaneStartError(
        `${what} exited (${child.exitCode ?? child.signalCode}) before it was ready; last log lines of ${logFile}:\n${tail(logFile)}`,
      );
    }
    if (await ready()) return;
    if (Date.now() > deadline) {
      throw new ControlPlaneStartError(
        `${what} not ready after ${timeoutMs} ms; last log lines of ${logFile}:\n${tail(logFile)}`,
      );
    }
    await sleep(100);
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function etcdHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    return response.ok && ((await response.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

function apiserverReady(server: string, tls: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<boolean> {
  return new Promise((resolve) => {
    const request = https.get(`${server}/readyz`, { ...tls, timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}

export function isOurProcess(process_: Pick<ControlPlaneProcess, 'pid' | 'binary'>): boolean {
  try {
    const argv0 = readFileSync(`/proc/${process_.pid}/cmdline`, 'utf8').split('\0')[0];
    return argv0 === process_.binary;
  } catch {
    if (existsSync('/proc/self')) return false;
    return groupAlive(process_.pid); // no procfs (macOS): trust the pid
  }
}

/**
 * etcd and kube-apiserver fork nothing, so a group is alive while its leader is. A zombie counts as gone:
 * after `testenv up` exits, PID 1 reaps them, and in some containers it never does.
 */
function groupAlive(pgid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pgid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    if (state === 'Z' || state === 'X') return false;
  } catch {
    if (existsSync('/proc/self')) return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** kube-apiserver first so it does not log a storm of etcd errors; SIGKILL after a grace period. */
async function stopProcesses(processes: readonly ControlPlaneProcess[], graceMs = 5000): Promise<void> {
  const byName = (name: ControlPlaneProcess['name']) =>
    processes.filter((p) => p.name === name && isOurProcess(p));
  const ordered = [...byName('kube-apiserver'), ...byName('etcd')];
  for (const { pid } of ordered) await stopProcessGroup(pid, graceMs);
}

/** SIGTERM to the group `pgid` leads, SIGKILL after a grace period; returns when it is gone. */
export async function stopProcessGroup(pgid: number, graceMs = 5000): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
  if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
  const killDeadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < killDeadline) await sleep(20);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Control planes of this process that must not outlive it. Signal handlers exist only while it is non-empty.
const owned = new Set<ControlPlane>();
const exitSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function killOwnedSync(): void {
  for (const controlPlane of owned) {
    for (const { pid } of controlPlane.processes) signalGroup(pid, 'SIGKILL');
    rmSync(controlPlane.dir, { recursive: true, force: true });
  }
  owned.clear();
}

function onExitSignal(signal: NodeJS.Signals): void {
  killOwnedSync();
  removeExitHandlers();
  // Keep the default meaning of the signal (terminate) unless someone else handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function killOnExit(controlPlane: ControlPlane): void {
  if (owned.size === 0) {
    process.on('exit', killOwnedSync);
    for (const signal of exitSignals) process.on(signal, onExitSignal);
  }
  owned.add(controlPlane);
}

function forgetOnExit(controlPlane: ControlPlane): void {
  if (owned.delete(controlPlane) && owned.size === 0) removeExitHandlers();
}

function removeExitHandlers(): void {
  process.off('exit', killOwnedSync);
  for (const signal of exitSignals) process.off(signal, onExitSignal);
}
