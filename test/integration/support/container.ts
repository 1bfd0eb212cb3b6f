// Runs the image's ENTRYPOINT "as the container would", without Docker (none runs here): a root
// filesystem holding the files the Dockerfile's final stage copies, bind-mounted read-only, plus the pod's
// volumes from the Deployment; new mount, PID and UTS namespaces (node is PID 1, the hostname is the pod
// name); chroot into it, no_new_privs, and the uid/gid of the pod's securityContext. Needs root (mounts).
//
// What is simulated, not real: the base image (the host's Node binary and its shared libraries stand in for
// distroless's /nodejs/bin/node), each build stage (the `build` stage's dist/ comes from the same
// `npm run build` command run here with another --outDir; the `deps` stage's node_modules is the lockfile's
// non-dev packages taken from the repo's node_modules, which is what `npm ci --omit=dev` installs), the
// kubelet (volumes, env, the projected token), the network (the host's, so the API server is on loopback),
// and seccomp and cgroup limits (not applied).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { repoRoot } from '../../harness/controlplane.ts';
import {
  copiesOf,
  envOf,
  findStage,
  isIgnored,
  lastOf,
  parseDockerfile,
  parseDockerignore,
  workdirOf,
  type Stage,
} from '../../support/dockerfile.ts';

/** A path of the container's filesystem and the host file or directory that provides it. */
export interface Bind {
  readonly target: string;
  readonly source: string;
}

export type Volume =
  | { readonly kind: 'bind'; readonly target: string; readonly source: string; readonly readOnly: boolean }
  | { readonly kind: 'tmpfs'; readonly target: string; readonly sizeBytes: number };

export interface ContainerSpec {
  /** The image's files (read-only layers). */
  readonly image: readonly Bind[];
  readonly volumes: readonly Volume[];
  readonly argv: readonly string[];
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly uid: number;
  readonly gid: number;
  readonly hostname: string;
  readonly readOnlyRootFilesystem: boolean;
  readonly noNewPrivileges: boolean;
}

export interface Image {
  readonly files: Bind[];
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[] | null;
  readonly workdir: string;
  readonly env: Record<string, string>;
  readonly user: string | null;
}

const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.text);

/** Packages `npm ci --omit=dev` installs: the lockfile's top-level entries not marked dev. */
export function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([key, entry]) => /^node_modules\/(@[^/]+\/)?[^/@][^/]*$/.test(key) && !entry.dev)
    .map(([key]) => key.slice('node_modules/'.length));
}

/** `npm run build` (package.json's script), writing to `outDir` instead of dist/ so the repo is untouched. */
export function runBuildScript(outDir: string): void {
  const script = (
    JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts['build'];
  const match = /^tsc (.*)$/.exec(script ?? '');
  if (!match)
    throw new Error(
      `package.json scripts.build is "${script}": this test only knows how to run "tsc ..." with another --outDir`,
    );
  execFileSync(
    process.execPath,
    [join(repoRoot, 'node_modules/typescript/bin/tsc'), ...match[1]!.split(/\s+/), '--outDir', outDir],
    { cwd: repoRoot, stdio: 'inherit' },
  );
}

/**
 * The final stage of the Dockerfile as files: each COPY resolved to what provides it here. A COPY this
 * cannot simulate (a stage or path it does not know) throws, so the test follows the Dockerfile.
 * `distDir` holds the build stage's dist/ (see runBuildScript).
 */
export function imageFromDockerfile(distDir: string): Image {
  const stages = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  const ignore = parseDockerignore(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));
  const final = stages.at(-1)!;
  const files: Bind[] = [];
  for (const copy of copiesOf(final)) {
    for (const { source, target } of copy.targets) {
      if (copy.from === null) {
        if (isIgnored(ignore, source))
          throw new Error(`Dockerfile line ${copy.line}: ${source} is excluded by .dockerignore`);
        files.push({ target, source: join(repoRoot, source) });
        continue;
      }
      const stage = findStage(stages, copy.from);
      const inStage = posix.relative(workdirOf(stage), source);
      if (runs(stage).includes('npm run build') && (inStage === 'dist' || inStage.startsWith('dist/'))) {
        files.push({ target, source: join(distDir, posix.relative('dist', inStage)) });
      } else if (runs(stage).some((r) => /\bnpm ci\b.*--omit=dev/.test(r)) && inStage === 'node_modules') {
        for (const pkg of productionPackages())
          files.push({ target: `${target}/${pkg}`, source: join(repoRoot, 'node_modules', pkg) });
      } else {
        throw new Error(`Dockerfile line ${copy.line}: cannot simulate COPY --from=${copy.from} ${source}`);
      }
    }
  }
  return {
    files,
    entrypoint: lastOf(final, 'ENTRYPOINT')?.exec ?? [],
    cmd: lastOf(final, 'CMD')?.exec ?? null,
    workdir: workdirOf(final),
    env: envOf(final),
    user: lastOf(final, 'USER')?.text ?? null,
  };
}

/** distroless/nodejs: node at /nodejs/bin/node, glibc and libstdc++, and these users and variables. */
export function distrolessNodeRuntime(): {
  files: Bind[];
  etc: Record<string, string>;
  env: Record<string, string>;
} {
  const libraries = execFileSync('ldd', [process.execPath], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
    .filter((path): path is string => Boolean(path));
  return {
    files: [
      { target: '/nodejs/bin/node', source: process.execPath },
      ...libraries.map((path) => ({ target: path, source: path })),
    ],
    etc: {
      passwd:
        'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
      group: 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n',
    },
    env: {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
    },
  };
}

/** Whether this process may build the sandbox: root, with util-linux unshare and setpriv. */
export function canRunContainers(): { ok: boolean; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: 'needs root (mount namespaces, chroot, setuid)' };
  for (const tool of ['unshare', 'setpriv', 'mount', 'hostname']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      return { ok: false, why: `needs ${tool} (util-linux)` };
  }
  const probe = spawnSync('unshare', [
    '--mount',
    '--pid',
    '--uts',
    '--fork',
    '--propagation',
    'private',
    'true',
  ]);
  return probe.status === 0
    ? { ok: true, why: '' }
    : { ok: false, why: `unshare failed: ${probe.stderr.toString().trim()}` };
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
const which = (tool: string) => execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();

/** A process that logs JSON lines (pino) on stdout: the operator in a container of either kind. */
export abstract class JsonLogProcess {
  abstract readonly process: ChildProcess;
  stdout = '';
  stderr = '';

  /** JSON log lines on stdout so far. */
  logs(): Record<string, unknown>[] {
    return this.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Waits for a log line with that msg; gives up early on a line whose msg is `failure`. */
  async waitForLog(msg: string, timeoutMs: number, failure?: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.logs().find((l) => l['msg'] === msg);
      if (line) return line;
      const failed = failure !== undefined && this.logs().some((l) => l['msg'] === failure);
      if (
        failed ||
        this.process.exitCode !== null ||
        this.process.signalCode !== null ||
        Date.now() > deadline
      ) {
        const why = failed
          ? `"${failure}"`
          : this.process.exitCode === null && this.process.signalCode === null
            ? 'timed out'
            : `exited ${this.process.exitCode ?? this.process.signalCode}`;
        throw new Error(`no "${msg}" log line (${why}); stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A running container: its outer unshare process, and PID 1 of its namespace (the entrypoint). */
export class Container extends JsonLogProcess {
  readonly process: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(spec: ContainerSpec, rootfs: string) {
    super();
    const mkpoint = (target: string, directory: boolean) => {
      const path = join(rootfs, target);
      if (directory) mkdirSync(path, { recursive: true });
      else if (!existsSync(path)) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, '');
      }
    };
    const binds = [
      ...spec.image.map((b) => ({ ...b, readOnly: true })),
      ...spec.volumes.filter((v) => v.kind === 'bind'),
    ];
    const devices = ['/dev/null', '/dev/zero', '/dev/random', '/dev/urandom'];
    for (const bind of binds) mkpoint(bind.target, statSync(bind.source).isDirectory());
    for (const volume of spec.volumes.filter((v) => v.kind === 'tmpfs')) mkpoint(volume.target, true);
    for (const device of devices) mkpoint(device, false);
    mkpoint('/proc', true);
    mkpoint(spec.workdir, true);

    const R = quote(rootfs);
    const at = (target: string) => quote(join(rootfs, target));
    const script = [
      'set -eu',
      // The rootfs becomes a mount of its own, so that it can be made read-only below.
      `mount --bind ${R} ${R}`,
      ...binds.flatMap((b) => [
        `mount --bind ${quote(b.source)} ${at(b.target)}`,
        ...(b.readOnly ? [`mount -o remount,bind,ro ${at(b.target)}`] : []),
      ]),
      ...spec.volumes.flatMap((v) =>
        v.kind === 'tmpfs'
          ? [`mount -t tmpfs -o size=${v.sizeBytes},mode=1777,nosuid,nodev tmpfs ${at(v.target)}`]
          : [],
      ),
      ...devices.map((d) => `mount --bind ${d} ${at(d)}`),
      `mount -t proc -o nosuid,nodev,noexec proc ${at('/proc')}`,
      ...(spec.readOnlyRootFilesystem ? [`mount -o remount,bind,ro ${R}`] : []),
      `hostname ${quote(spec.hostname)}`,
      // PID 1 becomes: env (a clean environment) → setpriv (no_new_privs) → unshare (chroot, cwd, uid/gid) → the entrypoint.
      [
        'exec',
        which('env'),
        '-i',
        ...Object.entries(spec.env).map(([k, v]) => quote(`${k}=${v}`)),
        which('setpriv'),
        ...(spec.noNewPrivileges ? ['--no-new-privs'] : []),
        which('unshare'),
        `--root=${R}`,
        `--wd=${quote(spec.workdir)}`,
        '--setuid',
        String(spec.uid),
        '--setgid',
        String(spec.gid),
        '--',
        ...spec.argv.map(quote),
      ].join(' '),
    ].join('\n');
    writeFileSync(join(dirname(rootfs), 'start.sh'), `${script}\n`);

    this.process = spawn(
      'unshare',
      [
        '--mount',
        '--pid',
        '--uts',
        '--fork',
        '--propagation',
        'private',
        '--',
        which('bash'),
        join(dirname(rootfs), 'start.sh'),
      ],
      {
        env: {},
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.process.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      this.process.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** The host pid of the container's PID 1 (the entrypoint once the start script has exec'd into it). */
  pid1(): number | undefined {
    try {
      const children = readFileSync(`/proc/${this.process.pid}/task/${this.process.pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
      return children.length === 1 ? Number(children[0]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Like the kubelet: SIGTERM to PID 1, SIGKILL after the grace period. */
  async stop(
    graceSeconds: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
    const pid = this.pid1();
    if (pid !== undefined) process.kill(pid, 'SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      const target = this.pid1();
      if (target !== undefined) process.kill(target, 'SIGKILL');
    }, graceSeconds * 1000);
    const result = await this.exited;
    clearTimeout(timer);
    return { ...result, killed };
  }
}
