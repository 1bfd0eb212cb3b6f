// An unpacked image run under Debian's runc the way a CRI runtime would start the container of a Pod: the
// image's root filesystem read-only, the pod's volumes, the securityContext's uid/gid, capabilities, no_new_privs
// and seccomp profile, a memory limit, and new PID/IPC/UTS/mount namespaces. The network namespace is the
// host's: the test control plane listens on loopback and runc brings up no interface in a new one. What a
// node adds on top (CNI, the kubelet's /etc/hosts and resolv.conf, cgroup parents) is test/node's business.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonLogProcess, type Volume } from './container.ts';

export interface RuncSpec {
  readonly id: string;
  /** The unpacked image's root filesystem. */
  readonly rootfs: string;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly uid: number;
  readonly gid: number;
  readonly hostname: string;
  readonly volumes: readonly Volume[];
  readonly readOnlyRootFilesystem: boolean;
  readonly noNewPrivileges: boolean;
  /** Effective, permitted and bounding set; [] for `drop: [ALL]`. */
  readonly capabilities: readonly string[];
  /** runtime-spec linux.seccomp, e.g. containerd's RuntimeDefault; none when undefined. */
  readonly seccomp?: unknown;
  readonly memoryLimitBytes?: number;
}

export function runcSpecConfig(spec: RuncSpec): unknown {
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: { uid: spec.uid, gid: spec.gid, additionalGids: [spec.gid] },
      args: spec.args,
      env: spec.env,
      cwd: spec.cwd,
      capabilities: {
        bounding: spec.capabilities,
        effective: spec.capabilities,
        permitted: spec.capabilities,
      },
      noNewPrivileges: spec.noNewPrivileges,
    },
    root: { path: spec.rootfs, readonly: spec.readOnlyRootFilesystem },
    hostname: spec.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'size=65536k'],
      },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      ...spec.volumes.map((v) =>
        v.kind === 'tmpfs'
          ? {
              destination: v.target,
              type: 'tmpfs',
              source: 'tmpfs',
              options: ['nosuid', 'nodev', 'mode=1777', `size=${v.sizeBytes}`],
            }
          : {
              destination: v.target,
              type: 'bind',
              source: v.source,
              options: ['rbind', 'nosuid', 'nodev', v.readOnly ? 'ro' : 'rw'],
            },
      ),
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      ...(spec.memoryLimitBytes === undefined
        ? {}
        : { resources: { memory: { limit: spec.memoryLimitBytes } } }),
      maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
      ...(spec.seccomp === undefined ? {} : { seccomp: spec.seccomp }),
    },
  };
}

/** `runc run` in the foreground (runc's stdout/stderr are the container's). */
export class RuncContainer extends JsonLogProcess {
  readonly process: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly spec: RuncSpec;

  constructor(spec: RuncSpec, bundle: string) {
    super();
    this.spec = spec;
    mkdirSync(bundle, { recursive: true });
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(runcSpecConfig(spec), null, 2));
    this.process = spawn('runc', ['run', '--bundle', bundle, spec.id], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      this.process.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** The host pid of the container's PID 1, from `runc state`. */
  pid(): number {
    const state = spawnSync('runc', ['state', this.spec.id], { encoding: 'utf8' });
    if (state.status !== 0) throw new Error(`runc state ${this.spec.id}: ${state.stderr}`);
    return (JSON.parse(state.stdout) as { pid: number }).pid;
  }

  /** `runc exec` as the container's user: what `kubectl exec` would run. */
  exec(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(
      'runc',
      ['exec', '--user', `${this.spec.uid}:${this.spec.gid}`, this.spec.id, ...args],
      { encoding: 'utf8', timeout: 30_000 },
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Like the kubelet: SIGTERM, SIGKILL after the grace period; then the container is deleted. */
  async stop(
    graceSeconds: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
    spawnSync('runc', ['kill', this.spec.id, 'TERM']);
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      spawnSync('runc', ['kill', this.spec.id, 'KILL']);
    }, graceSeconds * 1000);
    const result = await this.exited;
    clearTimeout(timer);
    spawnSync('runc', ['delete', '--force', this.spec.id]);
    return { ...result, killed };
  }
}
