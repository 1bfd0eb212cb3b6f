import { defineRule, type ContainerNode, type Reference } from '../../engine/rule.ts';
import { NSA_HARDENING_REFERENCE, PSS_REFERENCE, cisReference } from '../references.ts';

const HOST_PATH_REFERENCE: Reference = {
  title: 'Volumes: hostPath (security warnings)',
  url: 'https://kubernetes.io/docs/concepts/storage/volumes/#hostpath',
};
const CIS_REFERENCE = cisReference('v1.9, 5.2.12: Minimize the admission of HostPath volumes');

/** File names of container runtime API sockets, wherever a distribution puts them. */
const RUNTIME_SOCKET_NAMES = new Set([
  'docker.sock',
  'containerd.sock',
  'crio.sock',
  'cri-dockerd.sock',
  'podman.sock',
  'dockershim.sock',
]);
/** Directories holding runtime sockets, after /var/run is read as /run. */
const RUNTIME_SOCKET_DIRS = [
  '/run/containerd',
  '/run/crio',
  '/run/docker',
  '/run/cri-dockerd',
  '/run/podman',
  '/run/k3s/containerd',
];
/** Host directories whose write access amounts to owning the node (a mount of a parent counts too). */
const SENSITIVE_DIRS = [
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/root',
  '/var/lib/kubelet',
  '/var/lib/docker',
  '/var/lib/containerd',
];

/** Lexically normalised absolute path, with /var/run read as /run (a symlink on every common distribution). */
function normaliseHostPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const normalised = `/${parts.join('/')}`;
  return normalised === '/var/run' || normalised.startsWith('/var/run/')
    ? normalised.slice('/var'.length)
    : normalised;
}

function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

function exposesRuntimeSocket(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  // /run itself holds every socket directory; other paths under it (xtables.lock, udev) do not.
  return (
    path === '/run' ||
    RUNTIME_SOCKET_NAMES.has(name) ||
    RUNTIME_SOCKET_DIRS.some((dir) => isWithin(path, dir))
  );
}

function isSensitive(path: string): boolean {
  // `path` inside a sensitive dir, or a parent of one (`/` and `/var` hold /etc and /var/lib/kubelet).
  return path === '/' || SENSITIVE_DIRS.some((dir) => isWithin(path, dir) || isWithin(dir, path));
}

/** The first container (any role) that mounts the volume without `readOnly: true`. */
function writableBy(containers: readonly ContainerNode[], volume: string): ContainerNode | undefined {
  return containers.find((node) =>
    node.container.volumeMounts?.some((mount) => mount.name === volume && mount.readOnly !== true),
  );
}

export const hostPath = defineRule({
  meta: {
    id: 'host-path',
    subject: 'pod-spec',
    title: { en: 'hostPath volume', 'zh-CN': '挂载宿主机路径（hostPath 卷）' },
    category: 'pod-security',
    severity: 'high',
    pss: { level: 'baseline', check: 'hostPathVolumes' },
    messages: {
      hostPath: {
        en: 'Volume "{{volume}}" mounts host path "{{hostPath}}" from the node.',
        'zh-CN': '卷 "{{volume}}" 挂载了宿主机路径 "{{hostPath}}"。',
      },
      runtimeSocket: {
        en: 'Volume "{{volume}}" mounts host path "{{hostPath}}", a container runtime socket or its directory: whoever reaches the socket controls every container on the node, even through a read-only mount.',
        'zh-CN':
          '卷 "{{volume}}" 挂载了宿主机路径 "{{hostPath}}"，即容器运行时的 socket 或其所在目录：能访问该 socket 就能控制节点上的所有容器，即使以只读方式挂载也一样。',
      },
      sensitiveWritable: {
        en: 'Volume "{{volume}}" mounts the sensitive host path "{{hostPath}}", and container "{{container}}" mounts it writable.',
        'zh-CN':
          '卷 "{{volume}}" 挂载了敏感的宿主机路径 "{{hostPath}}"，且容器 "{{container}}" 以可写方式挂载。',
      },
    },
    docs: {
      why: {
        en: "A hostPath volume gives the pod the node's own files: host configuration, credentials of the kubelet and of other pods, and through a runtime socket the control of every container. A writable mount of /etc, /var/lib/kubelet or /proc is a direct path to root on the node.",
        'zh-CN':
          'hostPath 卷让 Pod 直接访问节点本身的文件：宿主机配置、kubelet 及其他 Pod 的凭据，挂载容器运行时 socket 更意味着能控制节点上的所有容器。以可写方式挂载 /etc、/var/lib/kubelet 或 /proc 等目录，几乎等同于直接拿到节点的 root 权限。',
      },
      fix: {
        en: "Use emptyDir, configMap, secret, projected or a PersistentVolumeClaim instead. A node agent that truly needs host files should mount the narrowest path, with `readOnly: true` on every volumeMount and a `hostPath.type`, from a dedicated namespace with an exemption that records why. Never mount the container runtime socket: read-only mounts do not stop a process from talking to it. A CNI agent needs the host's CNI directories (/etc/cni/net.d, /opt/cni/bin) and a CSI node plugin the kubelet's plugin and pod directories (/var/lib/kubelet/plugins, /var/lib/kubelet/pods) and /dev: those mounts cannot be removed, so exempt them with a reason (the shipped presets do, for well-known agents: docs/exemption-presets.md).",
        'zh-CN':
          '改用 emptyDir、configMap、secret、projected 或 PersistentVolumeClaim。确实需要读取宿主机文件的节点组件，应只挂载最小范围的路径，在所有 volumeMount 上设置 `readOnly: true` 并指定 `hostPath.type`，部署在专用命名空间中并配置注明原因的豁免。切勿挂载容器运行时 socket：只读挂载并不能阻止进程通过它调用运行时 API。CNI 代理需要宿主机的 CNI 目录（/etc/cni/net.d、/opt/cni/bin），CSI 节点插件需要 kubelet 的插件目录和 Pod 目录（/var/lib/kubelet/plugins、/var/lib/kubelet/pods）以及 /dev：这些挂载无法去掉，应配置注明原因的豁免（内置预设已为知名代理做了这件事，见 docs/exemption-presets.md）。',
      },
      snippet: [
        'volumes:',
        '  - name: cache',
        '    emptyDir: {}   # instead of hostPath',
        'containers:',
        '  - name: app',
        '    volumeMounts:',
        '      - name: cache',
        '        mountPath: /var/cache/app',
      ].join('\n'),
      severity: {
        en: "High for any host directory; critical for the container runtime's socket and for system directories mounted writable, since either is control of the node.",
        'zh-CN':
          '挂载任何宿主机目录为高；挂载容器运行时 socket，或以可写方式挂载系统目录为严重，因为两者都等于控制了节点。',
      },
      references: [PSS_REFERENCE.baseline, HOST_PATH_REFERENCE, CIS_REFERENCE, NSA_HARDENING_REFERENCE],
    },
  },
  check(context) {
    context.podSpec.volumes?.forEach((volume, index) => {
      // Upstream forbids any non-null hostPath, whatever its path or type.
      if (volume.hostPath === null || volume.hostPath === undefined) return;
      const raw = volume.hostPath.path ?? '';
      const path = [...context.podSpecPath, 'volumes', index, 'hostPath', 'path'];
      const data = { volume: volume.name, hostPath: raw };
      // Relative (Windows) paths keep the default severity.
      const normalised = raw.startsWith('/') ? normaliseHostPath(raw) : undefined;
      if (normalised !== undefined && exposesRuntimeSocket(normalised)) {
        context.report({ messageId: 'runtimeSocket', data, path, severity: 'critical' });
        return;
      }
      const writer =
        normalised !== undefined && isSensitive(normalised)
          ? writableBy(context.containers, volume.name)
          : undefined;
      if (writer !== undefined) {
        context.report({
          messageId: 'sensitiveWritable',
          data: { ...data, container: writer.name },
          path,
          severity: 'critical',
        });
        return;
      }
      context.report({ messageId: 'hostPath', data, path });
    });
  },
});
