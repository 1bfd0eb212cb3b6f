import { describe, expect, it } from 'vitest';
import { testRule } from '../../../test/support/rule-kit.ts';
import { imageTagMutable, parseImageReference } from './rule.ts';

const app = (image: unknown) => ({ containers: [{ name: 'app', image }] });
const DIGEST = 'sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31';

describe('parseImageReference', () => {
  it.each([
    ['nginx', null, null],
    ['nginx:1.27', '1.27', null],
    ['registry:5000/app', null, null],
    ['registry:5000/team/app:2.0', '2.0', null],
    [`nginx@${DIGEST}`, null, DIGEST],
    [`nginx:latest@${DIGEST}`, 'latest', DIGEST],
    ['nginx:', null, null],
  ])('%s', (image, tag, digest) => expect(parseImageReference(image)).toEqual({ tag, digest }));
});

testRule(imageTagMutable, {
  valid: [
    { name: 'version tag', podSpec: app('nginx:1.27') },
    { name: 'digest', podSpec: app(`nginx@${DIGEST}`) },
    { name: 'latest pinned by digest', podSpec: app(`nginx:latest@${DIGEST}`) },
    { name: 'registry with port and version tag', podSpec: app('registry.local:5000/team/app:2.0.1') },
    {
      name: 'image absent or null (not this rule)',
      podSpec: { containers: [{ name: 'app' }, { name: 'side', image: null }] },
    },
    {
      name: 'image volumes pinned by tag or digest',
      podSpec: {
        containers: [
          { name: 'app', image: 'nginx:1.27', volumeMounts: [{ name: 'model', mountPath: '/m' }] },
        ],
        volumes: [
          { name: 'model', image: { reference: 'quay.io/acme/model:2024.1' } },
          { name: 'data', image: { reference: `quay.io/acme/data@${DIGEST}` } },
          { name: 'empty', image: { reference: '' } },
          { name: 'cfg', configMap: { name: 'cfg' } },
        ],
      },
    },
    {
      name: 'pinned in every container role',
      version: 'v1.25',
      podSpec: {
        initContainers: [{ name: 'init', image: 'busybox:1.36' }],
        containers: [{ name: 'app', image: 'nginx:1.27' }],
        ephemeralContainers: [{ name: 'debug', image: `busybox@${DIGEST}` }],
      },
    },
  ],
  invalid: [
    {
      name: 'image volume with no tag, and one with latest',
      podSpec: {
        containers: [{ name: 'app', image: 'nginx:1.27' }],
        volumes: [
          { name: 'cfg', configMap: { name: 'cfg' } },
          { name: 'model', image: { reference: 'quay.io/acme/model', pullPolicy: 'IfNotPresent' } },
          { name: 'tools', image: { reference: 'registry:5000/tools:latest' } },
        ],
      },
      findings: [
        {
          messageId: 'volumeNoTag',
          path: 'spec.volumes[1].image.reference',
          container: null,
          data: { volume: 'model', image: 'quay.io/acme/model' },
        },
        {
          messageId: 'volumeLatestTag',
          path: 'spec.volumes[2].image.reference',
          container: null,
          data: { volume: 'tools', image: 'registry:5000/tools:latest' },
        },
      ],
    },
    {
      name: 'no tag',
      podSpec: app('nginx'),
      findings: [
        {
          messageId: 'noTag',
          path: 'spec.containers[0].image',
          container: 'app',
          data: { container: 'app', image: 'nginx' },
        },
      ],
    },
    {
      name: 'latest tag',
      podSpec: app('docker.io/library/nginx:latest'),
      findings: [
        {
          messageId: 'latestTag',
          path: 'spec.containers[0].image',
          container: 'app',
          data: { image: 'docker.io/library/nginx:latest' },
        },
      ],
    },
    {
      name: 'registry with port and no tag: the port is not a tag',
      podSpec: app('registry:5000/app'),
      findings: [
        { messageId: 'noTag', path: 'spec.containers[0].image', data: { image: 'registry:5000/app' } },
      ],
    },
    {
      name: 'registry with port and latest tag',
      podSpec: app('registry:5000/app:latest'),
      findings: [{ messageId: 'latestTag', path: 'spec.containers[0].image' }],
    },
    {
      name: 'mutable images in every container role',
      version: 'v1.25',
      podSpec: {
        initContainers: [{ name: 'init', image: 'busybox' }],
        containers: [
          { name: 'app', image: 'nginx:1.27' },
          { name: 'side', image: 'envoyproxy/envoy:latest' },
        ],
        ephemeralContainers: [{ name: 'debug', image: 'busybox:latest' }],
      },
      findings: [
        { messageId: 'noTag', path: 'spec.initContainers[0].image', container: 'init' },
        { messageId: 'latestTag', path: 'spec.containers[1].image', container: 'side' },
        { messageId: 'latestTag', path: 'spec.ephemeralContainers[0].image', container: 'debug' },
      ],
    },
  ],
});
