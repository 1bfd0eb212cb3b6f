import { testRule } from '../../../test/support/rule-kit.ts';
import { volumeTypes } from './rule.ts';

const app = { name: 'app', image: 'nginx:1.27' };
const withVolumes = (...volumes: Record<string, unknown>[]) => ({ containers: [app], volumes });
const ALLOWED =
  'configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret';

const allowedVolumes = [
  { name: 'config', configMap: { name: 'app-config' } },
  { name: 'csi', csi: { driver: 'secrets-store.csi.k8s.io' } },
  {
    name: 'podinfo',
    downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] },
  },
  { name: 'scratch', emptyDir: {} },
  {
    name: 'cache',
    ephemeral: {
      volumeClaimTemplate: {
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    },
  },
  { name: 'model', image: { reference: 'registry.example.com/model:1.0' } },
  { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
  { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
  { name: 'tls', secret: { secretName: 'tls' } },
];

testRule(volumeTypes, {
  valid: [
    { name: 'no volumes', podSpec: { containers: [app] } },
    { name: 'null volumes', podSpec: { containers: [app], volumes: null } },
    { name: 'every allowed type', podSpec: withVolumes(...allowedVolumes) },
    {
      name: 'image volume at the oldest policy version',
      version: 'v1.25',
      podSpec: withVolumes({ name: 'model', image: { reference: 'registry.example.com/model:1.0' } }),
    },
    {
      name: 'hostPath is left to the host-path rule',
      podSpec: withVolumes({ name: 'logs', hostPath: { path: '/var/log' } }),
    },
    { name: 'volume without a source (defaulted to emptyDir)', podSpec: withVolumes({ name: 'scratch' }) },
    { name: 'null source (defaulted to emptyDir)', podSpec: withVolumes({ name: 'scratch', nfs: null }) },
    {
      name: 'a key that is no volume source',
      podSpec: withVolumes({ name: 'scratch', emptyDir: {}, unknownField: 1 }),
    },
  ],
  invalid: [
    {
      name: 'nfs volume',
      podSpec: withVolumes(
        { name: 'config', configMap: { name: 'c' } },
        { name: 'shared', nfs: { server: 'nfs.example.com', path: '/exports' } },
      ),
      findings: [
        {
          messageId: 'volumeType',
          path: 'spec.volumes[1].nfs',
          container: null,
          data: { volume: 'shared', type: 'nfs', allowed: ALLOWED },
        },
      ],
    },
    {
      name: 'every other in-tree type',
      podSpec: withVolumes(
        { name: 'a', gcePersistentDisk: { pdName: 'd' } },
        { name: 'b', awsElasticBlockStore: { volumeID: 'v' } },
        { name: 'c', gitRepo: { repository: 'https://example.com/repo.git' } },
        { name: 'd', iscsi: { targetPortal: 't', iqn: 'i', lun: 0 } },
        { name: 'e', glusterfs: { endpoints: 'e', path: 'p' } },
        { name: 'f', rbd: { monitors: ['m'], image: 'i' } },
        { name: 'g', flexVolume: { driver: 'example/flex' } },
        { name: 'h', cinder: { volumeID: 'v' } },
        { name: 'i', cephfs: { monitors: ['m'] } },
        { name: 'j', flocker: { datasetName: 'd' } },
        { name: 'k', fc: { wwids: ['w'] } },
        { name: 'l', azureFile: { secretName: 's', shareName: 's' } },
        { name: 'm', vsphereVolume: { volumePath: 'p' } },
        { name: 'n', quobyte: { registry: 'r', volume: 'v' } },
        { name: 'o', azureDisk: { diskName: 'd', diskURI: 'u' } },
        { name: 'p', photonPersistentDisk: { pdID: 'p' } },
        { name: 'q', portworxVolume: { volumeID: 'v' } },
        { name: 'r', scaleIO: { gateway: 'g', system: 's', secretRef: { name: 's' } } },
        { name: 's', storageos: { volumeName: 'v' } },
      ),
      findings: [
        'gcePersistentDisk',
        'awsElasticBlockStore',
        'gitRepo',
        'iscsi',
        'glusterfs',
        'rbd',
        'flexVolume',
        'cinder',
        'cephfs',
        'flocker',
        'fc',
        'azureFile',
        'vsphereVolume',
        'quobyte',
        'azureDisk',
        'photonPersistentDisk',
        'portworxVolume',
        'scaleIO',
        'storageos',
      ].map((type, index) =>
        type === 'gitRepo'
          ? {
              messageId: 'gitRepo',
              path: `spec.volumes[${index}].${type}`,
              data: { type },
              severity: 'high' as const,
            }
          : { messageId: 'volumeType', path: `spec.volumes[${index}].${type}`, data: { type } },
      ),
    },
    {
      name: 'gitRepo at the oldest policy version: its own message (disabled since v1.33), high',
      version: 'v1.25',
      podSpec: withVolumes({ name: 'src', gitRepo: { repository: 'https://example.com/repo.git' } }),
      findings: [
        {
          messageId: 'gitRepo',
          path: 'spec.volumes[0].gitRepo',
          data: { volume: 'src', type: 'gitRepo', allowed: ALLOWED },
          severity: 'high',
        },
      ],
    },
  ],
});
