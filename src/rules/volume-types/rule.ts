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
      gitRepo: {
        en: 'Volume "{{volume}}" is a gitRepo volume: besides being outside the restricted set ({{allowed}}), it is deprecated and disabled by default since Kubernetes v1.33 (kubelet feature gate GitRepoVolumeDriver, locked off from v1.36), so on current nodes the pod does not start; where it still works, it runs git on the node as root.',
        'zh-CN':
          '卷 "{{volume}}" 是 gitRepo 卷：它不仅超出 restricted 级别允许的范围（{{allowed}}），而且已被弃用，自 Kubernetes v1.33 起默认禁用（kubelet 特性门控 GitRepoVolumeDriver，自 v1.36 起锁定为关闭），因此在当前版本的节点上 Pod 无法启动；在仍可使用的节点上，它会以 root 身份在节点上运行 git。',
      },
    },
    docs: {
      why: {
        en: 'In-tree network and node volume types (nfs, iscsi, rbd, flexVolume, gitRepo…) are mounted by the kubelet with node privileges and bypass the storage access control of PersistentVolumeClaims; gitRepo in particular has run code on the node.',
        'zh-CN':
          'nfs、iscsi、rbd、flexVolume、gitRepo 等内置网络卷和节点卷由 kubelet 以节点权限挂载，绕过了 PersistentVolumeClaim 的存储访问控制；其中 gitRepo 曾导致在节点上执行代码。',
      },
      fix: {
        en: 'Provision the storage through a PersistentVolumeClaim (or a CSI driver) and mount the claim; replace gitRepo with an init container that clones into an emptyDir (gitRepo is disabled by default since v1.33: such pods no longer start on current nodes).',
        'zh-CN':
          '通过 PersistentVolumeClaim（或 CSI 驱动）提供存储并挂载该声明；用一个克隆代码到 emptyDir 的 init 容器取代 gitRepo（gitRepo 自 v1.33 起默认禁用，这类 Pod 在当前版本的节点上已无法启动）。',
      },
      snippet: ['volumes:', '  - name: data', '    persistentVolumeClaim:', '      claimName: data'].join(
        '\n',
      ),
      severity: {
        en: 'Medium: in-tree volume types bypass the access control of PersistentVolumeClaims; high for gitRepo, which has run code on the node and is disabled by default since v1.33.',
        'zh-CN':
          '中：内置卷类型绕过了 PersistentVolumeClaim 的访问控制；gitRepo 为高，它曾导致在节点上执行代码，并且自 v1.33 起默认被禁用。',
      },
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
      const path = [...context.podSpecPath, 'volumes', index, type];
      if (type === 'gitRepo') {
        // It has run code on the node (CVE-2024-10220) and no longer mounts on current kubelets.
        context.report({
          messageId: 'gitRepo',
          data: { volume: volume.name, type, allowed: ALLOWED_LIST },
          path,
          severity: 'high',
        });
        return;
      }
      context.report({
        messageId: 'volumeType',
        data: { volume: volume.name, type, allowed: ALLOWED_LIST },
        path,
      });
    });
  },
});
