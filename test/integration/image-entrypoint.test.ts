// The image's ENTRYPOINT run the way the container runs it, against the real API server: the files of the
// Dockerfile's final stage, the Deployment of manifests/ (args, env, securityContext, volumes, probes), an
// in-cluster service account token for the manifests' ServiceAccount, and nothing else. See
// support/container.ts for how the container is built without Docker and what is simulated.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { readStoredReport } from '../../src/sinks/configmap.ts';
import { adminClient, httpGet, metricValue } from './support/cluster.ts';
import {
  canRunContainers,
  Container,
  distrolessNodeRuntime,
  imageFromDockerfile,
  runBuildScript,
} from './support/container.ts';
import { installAndSimulatePod, probePort, type Probe } from './support/kubelet-sim.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
const sandbox = canRunContainers();
// CI runs as root: there the container must run. Elsewhere (a developer without root) say why it cannot.
const skip = !sandbox.ok && !process.env['CI'];

let admin: KubeClient;
let work: string;
let container: Container | undefined;

beforeAll(() => {
  admin = adminClient(adminKubeconfig);
  work = mkdtempSync(join(tmpdir(), 'kp-image-it-'));
});

afterAll(async () => {
  if (container && container.process.exitCode === null) await container.stop(1);
  admin?.close();
  // Every mount lived in the container's own mount namespace, gone with it: here these are plain files.
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(skip)(
  `the image's entrypoint in a container-like sandbox${skip ? ` (skipped: ${sandbox.why})` : ''}`,
  () => {
    it('starts the operator from the ENTRYPOINT and the Deployment, scans in-cluster, writes its report, serves its probes, stops on SIGTERM', async () => {
      expect(sandbox.ok, sandbox.why).toBe(true);
      // The install: manifests/ verbatim (namespace kube-patrol), as `kubectl apply -k manifests/` does, and what
      // the kubelet provides: the ServiceAccount token volume, the config volume, the emptyDir, the env.
      const { namespace, pod, spec, podName, volumes, metricsPort, ...simulated } =
        await installAndSimulatePod(admin, adminKubeconfig, work);
      expect(pod.automountServiceAccountToken).toBe(true);

      // The image: `npm run build` into the build stage's dist/, then the final stage's files.
      const dist = join(work, 'build', 'dist');
      runBuildScript(dist);
      const image = imageFromDockerfile(dist);
      const runtime = distrolessNodeRuntime();
      expect(spec.command, 'the Deployment must keep the image ENTRYPOINT').toBeUndefined();
      const argv = [...image.entrypoint, ...(spec.args ?? image.cmd ?? [])];

      const env: Record<string, string> = {
        ...runtime.env,
        ...image.env,
        ...simulated.env,
      };

      const rootfs = join(work, 'rootfs');
      mkdirSync(join(rootfs, 'etc'), { recursive: true });
      for (const [file, text] of Object.entries(runtime.etc)) writeFileSync(join(rootfs, 'etc', file), text);
      const uid = spec.securityContext.runAsUser ?? pod.securityContext.runAsUser!;
      const gid = spec.securityContext.runAsGroup ?? pod.securityContext.runAsGroup!;
      expect(image.user).toBe(`${uid}:${gid}`);
      container = new Container(
        {
          image: [...runtime.files, ...image.files],
          volumes,
          argv,
          workdir: image.workdir,
          env,
          uid,
          gid,
          hostname: podName,
          readOnlyRootFilesystem: spec.securityContext.readOnlyRootFilesystem === true,
          noNewPrivileges: spec.securityContext.allowPrivilegeEscalation === false,
        },
        rootfs,
      );

      const started = await container.waitForLog('operator started', 30_000);
      expect(started).toMatchObject({
        namespace,
        port: metricsPort,
        identity: expect.stringMatching(new RegExp(`^${podName}_`)),
      });
      // PID 1 of its namespace runs as the pod's user, with no capabilities and no_new_privs.
      const status = readFileSync(`/proc/${container.pid1()}/status`, 'utf8');
      expect(status).toMatch(new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}$`, 'm'));
      expect(status).toMatch(new RegExp(`^Gid:\\s+${gid}\\s+${gid}\\s+${gid}\\s+${gid}$`, 'm'));
      expect(status).toMatch(/^Groups:\s*$/m);
      expect(status).toMatch(/^CapEff:\s+0+$/m);
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
      expect(status).toMatch(/^NSpid:\s+\d+\s+1$/m);

      const written = await container.waitForLog(
        'scan written',
        60_000,
        'scan failed; the previous report stays',
      );
      expect(written).toMatchObject({ trigger: expect.any(String), unreadable: [] });

      // The kubelet's probes, by the port name the Deployment gives them.
      for (const probe of [spec.startupProbe, spec.livenessProbe, spec.readinessProbe].filter(
        (p): p is Probe => p !== undefined,
      )) {
        const port = probePort(spec, probe);
        const response = await httpGet(
          `http://127.0.0.1:${port === spec.ports[0]!.containerPort ? metricsPort : port}${probe.httpGet.path}`,
        );
        expect(response.status, `${probe.httpGet.path}: ${response.body}`).toBe(200);
      }
      const metrics = (await httpGet(`http://127.0.0.1:${metricsPort}/metrics`)).body;
      expect(metricValue(metrics, 'kube_patrol_last_scan_success')).toBe(1);
      expect(metricValue(metrics, 'kube_patrol_leader')).toBe(1);

      // The report is where DESIGN.md says, and kube-patrol's own Deployment passes its inspection there.
      const stored = await readStoredReport(admin, namespace, 'kube-patrol-report');
      expect(stored.summary.scanId).toBe(written['scanId']);
      const report = (await stored.report()) as InspectionReport;
      // In-cluster config (KUBERNETES_SERVICE_HOST and the mounted token), not a kubeconfig.
      expect(report.metadata).toMatchObject({ source: 'cluster', cluster: 'in-cluster' });
      const own = report.findings.filter(
        (f) => f.workload.namespace === namespace && f.workload.name === 'kube-patrol',
      );
      expect(report.workloads).toContainEqual(
        expect.objectContaining({ kind: 'Deployment', namespace, name: 'kube-patrol', score: 100 }),
      );
      expect(own.filter((f) => !f.exempted)).toEqual([]);
      expect(report.errors).toEqual([]);
      const lease = await admin.request<{ spec: { holderIdentity: string } }>(
        'GET',
        `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/kube-patrol-leader`,
      );
      expect(lease.spec.holderIdentity).toBe(started['identity']);

      // `kubectl delete pod`: SIGTERM to PID 1, which exits cleanly within the grace period.
      const stopped = await container.stop(pod.terminationGracePeriodSeconds);
      expect(stopped, container.stderr).toEqual({ code: 0, signal: null, killed: false });
      expect(container.logs().some((l) => l['msg'] === 'stopped')).toBe(true);
      expect(container.stderr).toBe('');
    });
  },
);
