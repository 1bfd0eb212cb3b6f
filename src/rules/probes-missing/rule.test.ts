import { testRule } from '../../../test/support/rule-kit.ts';
import { probesMissing } from './rule.ts';

const probe = { httpGet: { path: '/healthz', port: 8080 } };
const probed = { name: 'app', image: 'nginx:1.27', livenessProbe: probe, readinessProbe: probe };
const bare = { name: 'app', image: 'nginx:1.27' };
const template = (spec: Record<string, unknown>) => ({
  selector: { matchLabels: { app: 'demo' } },
  template: { metadata: { labels: { app: 'demo' } }, spec },
});

testRule(
  probesMissing,
  {
    valid: [
      { name: 'both probes', podSpec: { containers: [probed] } },
      {
        name: 'no probes in a bare Pod or a CronJob',
        kinds: ['Pod', 'CronJob'],
        podSpec: { containers: [bare] },
      },
      {
        name: 'no probes in a Job',
        object: {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: 'once' },
          spec: { template: { spec: { restartPolicy: 'Never', containers: [bare] } } },
        },
      },
      {
        name: 'init and ephemeral containers are not checked',
        kinds: ['Deployment'],
        podSpec: {
          initContainers: [{ name: 'init', image: 'busybox:1.36' }],
          containers: [probed],
          ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }],
        },
      },
      {
        name: 'a probed sidecar (init container with restartPolicy: Always)',
        kinds: ['Deployment'],
        podSpec: {
          initContainers: [{ ...probed, name: 'proxy', restartPolicy: 'Always' }],
          containers: [probed],
        },
      },
      {
        name: 'both probes, oldest policy version',
        version: 'v1.25',
        kinds: ['Deployment'],
        podSpec: { containers: [probed] },
      },
    ],
    invalid: [
      {
        name: 'no probes in a Deployment',
        kinds: ['Deployment'],
        podSpec: { containers: [bare] },
        findings: [
          {
            messageId: 'livenessMissing',
            path: 'spec.containers[0].livenessProbe',
            container: 'app',
            data: { container: 'app' },
          },
          {
            messageId: 'readinessMissing',
            path: 'spec.containers[0].readinessProbe',
            container: 'app',
            data: { container: 'app' },
          },
        ],
      },
      {
        name: 'a sidecar without probes is long-running too',
        kinds: ['Deployment'],
        podSpec: {
          initContainers: [
            { name: 'init', image: 'busybox:1.36' },
            { name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always' },
          ],
          containers: [probed],
        },
        findings: [
          { messageId: 'livenessMissing', path: 'spec.initContainers[1].livenessProbe', container: 'proxy' },
          {
            messageId: 'readinessMissing',
            path: 'spec.initContainers[1].readinessProbe',
            container: 'proxy',
          },
        ],
      },
      {
        name: 'readiness only; a startup probe does not replace liveness',
        kinds: ['Deployment'],
        podSpec: { containers: [{ ...bare, readinessProbe: probe, startupProbe: probe }] },
        findings: [
          { messageId: 'livenessMissing', path: 'spec.containers[0].livenessProbe', container: 'app' },
        ],
      },
      {
        name: 'explicit null readiness probe',
        kinds: ['Deployment'],
        version: 'v1.25',
        podSpec: { containers: [{ ...bare, livenessProbe: probe, readinessProbe: null }] },
        findings: [
          { messageId: 'readinessMissing', path: 'spec.containers[0].readinessProbe', container: 'app' },
        ],
      },
      {
        name: 'second app container of a StatefulSet, init and ephemeral ignored',
        object: {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'db' },
          spec: {
            serviceName: 'db',
            ...template({
              initContainers: [{ name: 'init', image: 'busybox:1.36' }],
              containers: [probed, { name: 'exporter', image: 'exporter:1.0', livenessProbe: probe }],
              ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }],
            }),
          },
        },
        findings: [
          {
            messageId: 'readinessMissing',
            path: 'spec.template.spec.containers[1].readinessProbe',
            container: 'exporter',
          },
        ],
      },
      {
        name: 'DaemonSet without probes',
        object: {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'agent' },
          spec: template({ containers: [bare] }),
        },
        findings: [
          {
            messageId: 'livenessMissing',
            path: 'spec.template.spec.containers[0].livenessProbe',
            container: 'app',
          },
          {
            messageId: 'readinessMissing',
            path: 'spec.template.spec.containers[0].readinessProbe',
            container: 'app',
          },
        ],
      },
    ],
  },
  // Only long-running containers need them: app containers and sidecars (init containers with
  // restartPolicy Always); init containers that run to completion and ephemeral ones are not inspected.
  { containerRoles: ['containers'] },
);
