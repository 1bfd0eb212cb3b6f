import { defineRule, type Reference } from '../../engine/rule.ts';
import { PSS_REFERENCE } from '../references.ts';

const VOLUMES_REFERENCE: Reference = {
  title: 'Volumes',
  url: 'https://kubernetes.io/docs/concepts/storage/volumes/',
};

/**
 * Upstream allows a volume when any of these sources is set. `image` was added to the v1.0 check in
 * Kubernetes v1.33 rather than as a new policy version, so it is allowed at every policy version.
 */
const ALLOWED_TYPES: ReadonlySet<string> = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/**
 * The other volume sources of the Pod API, in upstream's order. `hostPath` is forbidden too but
 * reported by the `host-path` rule. Keys that are no volume source are dropped by the API server,
 * and a volume with no source at all is defaulted to `emptyDir`, so neither fails.
 */
const FORBIDDEN_TYPES: readonly string[] = [
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
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
];

const ALLOWED_LIST = [...ALLOWED_TYPES].join(', ');

export const volumeTypes = defineRule({
  meta: {
    id: 'volume-types',
    subject: 'pod-spec',
    title: { en: 'Volume type outside the restricted set', 'zh-CN': '卷类型超出 restricted 允许范围' },
    category: 'pod-security',
    severity: 'medium',
    pss: { level: 'restricted', check: 'restrictedVolumes' },
    messages: {
      volumeType: {
        en: 'Volume "{{volume}}" is of type {{type}}; the restricted level allows only {{allowed}}.',
        'zh-CN': '卷 "{{volume}}" 的类型为 {{type}}；restricted 级别只允许 {{allowed}}。',
      },
    },
    docs: {
      why: {
        en: 'In-tree network and node volume types (nfs, iscsi, rbd, flexVolume, gitRepo…) are mounted by the kubelet with node privileges and bypass the storage access control of PersistentVolumeClaims; gitRepo in particular has run code on the node.',
        'zh-CN':
          'nfs、iscsi、rbd、flexVolume、gitRepo 等内置网络卷和节点卷由 kubelet 以节点权限挂载，绕过了 PersistentVolumeClaim 的存储访问控制；其中 gitRepo 曾导致在节点上执行代码。',
      },
      fix: {
        en: 'Provision the storage through a PersistentVolumeClaim (or a CSI driver) and mount the claim; replace gitRepo with an init container that clones into an emptyDir.',
        'zh-CN':
          '通过 PersistentVolumeClaim（或 CSI 驱动）提供存储并挂载该声明；用一个克隆代码到 emptyDir 的 init 容器取代 gitRepo。',
      },
      snippet: ['volumes:', '  - name: data', '    persistentVolumeClaim:', '      claimName: data'].join(
        '\n',
      ),
      references: [PSS_REFERENCE.restricted, VOLUMES_REFERENCE],
    },
  },
  check(context) {
    (context.podSpec.volumes ?? []).forEach((volume, index) => {
      const sources = Object.entries(volume)
        .filter(([, value]) => value !== null && value !== undefined)
        .map(([key]) => key);
      if (sources.some((key) => ALLOWED_TYPES.has(key))) return;
      const type = FORBIDDEN_TYPES.find((key) => sources.includes(key));
      if (type === undefined) return;
      context.report({
        messageId: 'volumeType',
        data: { volume: volume.name, type, allowed: ALLOWED_LIST },
        path: [...context.podSpecPath, 'volumes', index, type],
      });
    });
  },
});
