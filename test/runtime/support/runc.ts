// Containers under Debian's runc for the seccomp tests: a busybox-static root filesystem, the directory
// with the test programs bind-mounted read-only at /work, a tmpfs at /tmp, and the host's network
// namespace (runc does not bring up lo in a new one, and the workload talks over loopback).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export const BUSYBOX = '/bin/busybox';

/** Why the runc tests cannot run here, or undefined. Only a missing root is a reason to skip. */
export function runcSkipReason(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'the runc seccomp tests need root (runc run creates namespaces and cgroups): run them as root';
  return undefined;
}

/** Fails (does not skip) when a tool .ci/run installs is missing. */
export function requireTools(): void {
  for (const tool of ['runc', 'strace', 'gcc']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
    if (found.status !== 0)
      throw new Error(`${tool} is not installed (.ci/run installs it: apt-get install ${tool})`);
  }
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing (apt-get install busybox-static)`);
}

export function compileStatic(source: string, output: string, extra: string[] = []): void {
  execFileSync('gcc', ['-O1', '-static', '-o', output, source, ...extra], { stdio: 'pipe' });
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface ContainerOptions {
  /** the directory mounted read-only at /work */
  workDir: string;
  args: string[];
  /** runtime-spec linux.seccomp; none when undefined */
  seccomp?: unknown;
  noNewPrivileges: boolean;
}

let counter = 0;

/** Runs one container to completion and removes it. */
export function runContainer(root: string, options: ContainerOptions): RunResult {
  const id = `kp-seccomp-${process.pid}-${++counter}`;
  const bundle = join(root, id);
  const rootfs = join(bundle, 'rootfs');
  for (const dir of ['bin', 'work', 'tmp', 'proc', 'dev', 'sys'])
    mkdirSync(join(rootfs, dir), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
  const config = {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: options.args,
      env: ['PATH=/bin', 'HOME=/tmp'],
      cwd: '/',
      // runc's own default set (runc spec)
      capabilities: {
        bounding: CONTAINER_CAPABILITIES,
        effective: CONTAINER_CAPABILITIES,
        permitted: CONTAINER_CAPABILITIES,
        ambient: CONTAINER_CAPABILITIES,
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: options.noNewPrivileges,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'kp-seccomp',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] },
      { destination: '/work', type: 'bind', source: options.workDir, options: ['rbind', 'ro'] },
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: ['/proc/kcore', '/proc/keys', '/sys/firmware'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
      ...(options.seccomp === undefined ? {} : { seccomp: options.seccomp }),
    },
  };
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config, null, 2));
  const started = performance.now();
  const run = spawnSync('runc', ['run', '--bundle', bundle, id], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  const ms = performance.now() - started;
  spawnSync('runc', ['delete', '--force', id], { stdio: 'ignore' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, ms };
}

/** The capabilities of the test containers (runc's `runc spec` default). */
export const CONTAINER_CAPABILITIES = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
