import { testRule } from '../../../test/support/rule-kit.ts';
import { probeHost } from './rule.ts';

const app = { name: 'app', image: 'nginx:1.27' };
const httpGet = (host?: string | null) => ({
  httpGet: { path: '/healthz', port: 8080, ...(host === undefined ? {} : { host }) },
});
const tcpSocket = (host?: string | null) => ({
  tcpSocket: { port: 8080, ...(host === undefined ? {} : { host }) },
});

testRule(probeHost, {
  valid: [
    { name: 'no probes', podSpec: { containers: [app] } },
    {
      name: 'probes and hooks without host',
      podSpec: {
        containers: [
          {
            ...app,
            livenessProbe: httpGet(),
            readinessProbe: tcpSocket(),
            startupProbe: { exec: { command: ['true'] } },
            lifecycle: { postStart: httpGet(), preStop: { sleep: { seconds: 5 } } },
          },
        ],
      },
    },
    {
      name: 'empty and null host',
      podSpec: {
        containers: [
          {
            ...app,
            livenessProbe: httpGet(''),
            readinessProbe: tcpSocket(null),
            lifecycle: { preStop: tcpSocket('') },
          },
        ],
      },
    },
    {
      name: 'null probes and lifecycle',
      podSpec: { containers: [{ ...app, livenessProbe: null, lifecycle: null }] },
    },
    {
      name: 'host before v1.34, when the check does not exist',
      version: 'v1.33',
      podSpec: { containers: [{ ...app, livenessProbe: httpGet('169.254.169.254') }] },
    },
    {
      name: 'host at the oldest version',
      version: 'v1.25',
      podSpec: { containers: [{ ...app, readinessProbe: tcpSocket('db.internal') }] },
    },
  ],
  invalid: [
    {
      name: 'httpGet host in a liveness probe',
      podSpec: { containers: [{ ...app, livenessProbe: httpGet('bad.host') }] },
      findings: [
        {
          messageId: 'handlerHost',
          path: 'spec.containers[0].livenessProbe.httpGet.host',
          container: 'app',
          data: { container: 'app', handler: 'livenessProbe.httpGet', host: 'bad.host' },
        },
      ],
    },
    {
      name: 'loopback hosts are forbidden too',
      version: 'v1.34',
      podSpec: {
        containers: [
          {
            ...app,
            livenessProbe: httpGet('127.0.0.1'),
            readinessProbe: tcpSocket('::1'),
            startupProbe: httpGet('localhost'),
          },
        ],
      },
      findings: [
        {
          messageId: 'handlerHost',
          path: 'spec.containers[0].livenessProbe.httpGet.host',
          data: { host: '127.0.0.1' },
        },
        {
          messageId: 'handlerHost',
          path: 'spec.containers[0].readinessProbe.tcpSocket.host',
          data: { host: '::1', handler: 'readinessProbe.tcpSocket' },
        },
        {
          messageId: 'handlerHost',
          path: 'spec.containers[0].startupProbe.httpGet.host',
          data: { host: 'localhost', handler: 'startupProbe.httpGet' },
        },
      ],
    },
    {
      name: 'lifecycle hooks, including the deprecated tcpSocket handler',
      podSpec: {
        containers: [
          { ...app, lifecycle: { postStart: httpGet('bad.host'), preStop: tcpSocket('8.8.8.8') } },
        ],
      },
      findings: [
        {
          messageId: 'handlerHost',
          path: 'spec.containers[0].lifecycle.postStart.httpGet.host',
          data: { handler: 'lifecycle.postStart.httpGet', host: 'bad.host' },
        },
        {
          messageId: 'handlerHost',
          path: 'spec.containers[0].lifecycle.preStop.tcpSocket.host',
          data: { handler: 'lifecycle.preStop.tcpSocket', host: '8.8.8.8' },
        },
      ],
    },
    {
      name: 'host in every container role',
      podSpec: {
        initContainers: [
          {
            name: 'sidecar',
            image: 'envoy:1.30',
            restartPolicy: 'Always',
            readinessProbe: tcpSocket('8.8.8.8'),
          },
        ],
        containers: [
          app,
          { name: 'web', image: 'nginx:1.27', livenessProbe: httpGet('2001:4860:4860::8888') },
        ],
        ephemeralContainers: [
          {
            name: 'debug',
            image: 'busybox:1.36',
            lifecycle: { preStop: httpGet('metadata.google.internal') },
          },
        ],
      },
      findings: [
        {
          messageId: 'handlerHost',
          path: 'spec.initContainers[0].readinessProbe.tcpSocket.host',
          container: 'sidecar',
        },
        { messageId: 'handlerHost', path: 'spec.containers[1].livenessProbe.httpGet.host', container: 'web' },
        {
          messageId: 'handlerHost',
          path: 'spec.ephemeralContainers[0].lifecycle.preStop.httpGet.host',
          container: 'debug',
        },
      ],
    },
    {
      name: 'a blank host is not empty',
      podSpec: { containers: [{ ...app, livenessProbe: httpGet(' ') }] },
      findings: [
        {
          messageId: 'handlerHost',
          path: 'spec.containers[0].livenessProbe.httpGet.host',
          data: { host: ' ' },
        },
      ],
    },
  ],
});
