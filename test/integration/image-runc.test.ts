// The operator image as built (hack/image/build.sh: the project's Dockerfile under buildah on stand-in bases
// made from Debian packages, no registry), unpacked from the same docker-archive that `make node-deploy`
// imports into containerd, and run under Debian's runc with what the Deployment of manifests/ asks for: its
// args, env, uid/gid, no capabilities, no_new_privs, a read-only root filesystem, containerd's RuntimeDefault
// seccomp profile, the memory limit, a real service-account token from the TokenRequest API and the
// in-cluster environment. The network is the host's (see support/runc-container.ts); the kubelet, CNI and
// the `kubernetes` Service are what test/node adds.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { RUNTIME_DEFAULTS } from '../../src/seccomp/data.ts';
import { materializeRuntimeDefault } from '../../src/seccomp/runtime-default.ts';
import { readStoredReport } from '../../src/sinks/configmap.ts';
import { repoRoot } from '../harness/controlplane.ts';
import { lastOf, parseDockerfile } from '../support/dockerfile.ts';
import { adminClient, httpGet, metricValue, runCli } from './support/cluster.ts';
import { unpackDockerArchive, type UnpackedImage } from './support/image-archive.ts';
import { installAndSimulatePod, probePort, quantityBytes } from './support/kubelet-sim.ts';
import { RuncContainer } from './support/runc-container.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
const missing = ['runc', 'buildah', 'mmdebstrap'].filter(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
);
const why =
  process.getuid?.() !== 0
    ? 'needs root (buildah storage, runc)'
    : missing.length > 0
      ? `needs ${missing.join(', ')} (apt-get install -y ${missing.join(' ')}; .ci/run installs them)`
      : '';
// CI installs the tools and runs as root: there a missing piece fails instead of skipping.
const skip = why !== '' && !process.env['CI'];

let admin: KubeClient;
let work: string;
let image: UnpackedImage;
const running: RuncContainer[] = [];

beforeAll(() => {
  if (skip) return;
  admin = adminClient(adminKubeconfig);
  work = mkdtempSync(join(tmpdir(), 'kp-image-runc-'));
  // The first build bootstraps Debian and runs `npm ci` (minutes); later ones reuse the cached layers.
  const built = spawnSync('bash', [join(repoRoot, 'hack/image/build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 1_500_000,
  });
  expect(built.status, 'hack/image/build.sh failed (its messages are above)').toBe(0);
  image = unpackDockerArchive(built.stdout.trim().split('\n').at(-1)!, work);
}, 1_600_000);

afterAll(async () => {
  for (const container of running) if (container.process.exitCode === null) await container.stop(1);
  admin?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Every path in the tree whose name is one of `names` (not following symlinks), relative to it. */
function findNamed(root: string, names: ReadonlySet<string>): string[] {
  const found = spawnSync('find', [root, '!', '-type', 'd', '-printf', '/%P\\n'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return found.stdout.split('\n').filter((path) => names.has(path.split('/').at(-1)!));
}

describe.skipIf(skip)(
  `the operator image built by hack/image/build.sh${skip ? ` (skipped: ${why})` : ''}`,
  () => {
    it('is the Dockerfile on the distroless stand-in: ENTRYPOINT, CMD, user 65532, no shell or package manager, code owned by root', () => {
      expect(why, why).toBe('');
      const final = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')).at(-1)!;
      expect(image.config.entrypoint).toEqual(lastOf(final, 'ENTRYPOINT')!.exec);
      expect(image.config.cmd).toEqual(lastOf(final, 'CMD')!.exec);
      expect(image.config.user).toBe('65532:65532');
      expect(image.config.workdir).toBe('/app');
      expect(image.config.labels['io.kube-patrol.stand-in-for']).toMatch(/^gcr\.io\/distroless\/nodejs24-/);
      // What the kubelet asks containerd for when the overlay says `image: kube-patrol:dev`.
      expect(image.repoTags).toContain('docker.io/library/kube-patrol:dev');

      const shells = findNamed(
        image.rootfs,
        new Set(['sh', 'bash', 'dash', 'ash', 'busybox', 'apt', 'apt-get', 'dpkg', 'perl', 'python3']),
      );
      expect(shells, 'the runtime image holds a shell or a package manager').toEqual([]);
      expect(statSync(join(image.rootfs, 'nodejs/bin/node')).isFile()).toBe(true);
      const passwd = readFileSync(join(image.rootfs, 'etc/passwd'), 'utf8');
      expect(passwd).toMatch(/^nonroot:x:65532:65532:/m);
      expect(readFileSync(join(image.rootfs, 'etc/ssl/certs/ca-certificates.crt'), 'utf8')).toContain(
        'BEGIN CERTIFICATE',
      );
      for (const path of [
        'app/dist/src/cli/main.js',
        'app/node_modules',
        'app/package.json',
        'app/templates',
      ]) {
        expect(statSync(join(image.rootfs, path)).uid, `/${path} must be root's`).toBe(0);
      }
      // The build stages' tools stay in the build stages.
      expect(findNamed(join(image.rootfs, 'app'), new Set(['typescript', 'tsc', 'vitest']))).toEqual([]);
    });

    it('runs under runc as the Deployment asks, in-cluster with a real token: scans, writes, serves probes, stops on SIGTERM; `report get` reads it', async () => {
      const { namespace, pod, spec, podName, volumes, metricsPort, ...simulated } =
        await installAndSimulatePod(admin, adminKubeconfig, work);
      const env = {
        ...Object.fromEntries(image.config.env.map((e) => e.split(/=(.*)/s, 2) as [string, string])),
        ...simulated.env,
      };

      const uid = spec.securityContext.runAsUser ?? pod.securityContext.runAsUser!;
      const gid = spec.securityContext.runAsGroup ?? pod.securityContext.runAsGroup!;
      expect(spec.securityContext.capabilities?.drop).toEqual(['ALL']);
      expect(spec.securityContext.seccompProfile?.type ?? pod.securityContext.seccompProfile?.type).toBe(
        'RuntimeDefault',
      );
      // What containerd puts in the OCI spec for RuntimeDefault with no capabilities.
      const seccomp = materializeRuntimeDefault(
        RUNTIME_DEFAULTS.containerd,
        [],
        process.arch === 'arm64' ? 'aarch64' : 'x86_64',
      );
      const start = (id: string, args: readonly string[]) => {
        const container = new RuncContainer(
          {
            id,
            rootfs: image.rootfs,
            args: [...image.config.entrypoint, ...args],
            env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
            cwd: image.config.workdir,
            uid,
            gid,
            hostname: podName,
            volumes,
            readOnlyRootFilesystem: spec.securityContext.readOnlyRootFilesystem === true,
            noNewPrivileges: spec.securityContext.allowPrivilegeEscalation === false,
            capabilities: [],
            seccomp,
            memoryLimitBytes: quantityBytes(spec.resources!.limits!.memory!),
          },
          join(work, 'bundles', id),
        );
        running.push(container);
        return container;
      };

      const container = start(`kp-image-${randomBytes(4).toString('hex')}`, spec.args!);
      const started = await container.waitForLog('operator started', 60_000);
      expect(started).toMatchObject({ namespace, port: metricsPort });

      // The kernel's view of PID 1: the pod's user, no capabilities, no_new_privs, a seccomp filter.
      const status = readFileSync(`/proc/${container.pid()}/status`, 'utf8');
      expect(status).toMatch(new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}$`, 'm'));
      expect(status).toMatch(new RegExp(`^Gid:\\s+${gid}\\s+${gid}\\s+${gid}\\s+${gid}$`, 'm'));
      expect(status).toMatch(/^CapEff:\s+0+$/m);
      expect(status).toMatch(/^CapBnd:\s+0+$/m);
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
      expect(status).toMatch(/^Seccomp:\s+2$/m);

      // `kubectl exec ... sh` has nothing to run; the code cannot be changed, /tmp (the emptyDir) can.
      const shell = container.exec(['/bin/sh', '-c', 'true']);
      expect(shell.status).not.toBe(0);
      expect(shell.stderr).toMatch(/no such file or directory/i);
      const write = (path: string) =>
        container
          .exec([
            '/nodejs/bin/node',
            '-e',
            `try { require('fs').writeFileSync(${JSON.stringify(path)}, 'x'); console.log('written') } catch (e) { console.log(e.code) }`,
          ])
          .stdout.trim();
      expect(write('/app/dist/src/cli/main.js')).toBe('EROFS');
      expect(write('/tmp/scratch')).toBe('written');

      const written = await container.waitForLog(
        'scan written',
        90_000,
        'scan failed; the previous report stays',
      );
      for (const probe of [spec.startupProbe, spec.livenessProbe, spec.readinessProbe]) {
        const port =
          probePort(spec, probe!) === spec.ports[0]!.containerPort ? metricsPort : probePort(spec, probe!);
        const response = await httpGet(`http://127.0.0.1:${port}${probe!.httpGet.path}`);
        expect(response.status, `${probe!.httpGet.path}: ${response.body}`).toBe(200);
      }
      const metrics = (await httpGet(`http://127.0.0.1:${metricsPort}/metrics`)).body;
      expect(metricValue(metrics, 'kube_patrol_leader')).toBe(1);

      const stored = await readStoredReport(admin, namespace, 'kube-patrol-report');
      expect(stored.summary.scanId).toBe(written['scanId']);
      const fromCli = runCli([
        'report',
        'get',
        '-o',
        'json',
        '--kubeconfig',
        adminKubeconfig,
        '-n',
        namespace,
      ]);
      expect(fromCli.status, fromCli.stderr).toBe(0);
      const report = JSON.parse(fromCli.stdout) as InspectionReport;
      expect(report.metadata).toMatchObject({ source: 'cluster', cluster: 'in-cluster' });
      expect(report.metadata.generatedAt).toBe(
        ((await stored.report()) as InspectionReport).metadata.generatedAt,
      );
      expect(report.workloads).toContainEqual(
        expect.objectContaining({ kind: 'Deployment', namespace, name: 'kube-patrol', score: 100 }),
      );
      expect(report.errors).toEqual([]);

      const stopped = await container.stop(pod.terminationGracePeriodSeconds);
      expect(stopped, container.stderr).toEqual({ code: 0, signal: null, killed: false });
      expect(container.logs().some((l) => l['msg'] === 'stopped')).toBe(true);

      // The other job of the same image: args replace CMD; `operator --once` scans, writes and exits 0.
      const once = start(`kp-image-once-${randomBytes(4).toString('hex')}`, [
        'operator',
        '--once',
        '--no-leader-elect',
        ...spec.args!.slice(1),
      ]);
      const onceWritten = await once.waitForLog(
        'scan written',
        90_000,
        'scan failed; the previous report stays',
      );
      expect(await once.exited, once.stderr).toEqual({ code: 0, signal: null });
      spawnSync('runc', ['delete', '--force', once.spec.id]);
      expect((await readStoredReport(admin, namespace, 'kube-patrol-report')).summary.scanId).toBe(
        onceWritten['scanId'],
      );
    });
  },
);
