/**
 * Exemption presets for well-known node agents (docs/exemption-presets.md). Each one exempts only the
 * findings that the agent cannot avoid and still do its job, matched on three things at once: the rule,
 * the container's image repository (registry and tag ignored, so mirrors match), and for `host-path`
 * the host path itself (and which containers mount it). Anything else the agent does, including the
 * findings it could fix (capabilities not dropped, seccomp, probes, resources, image tags), is still
 * reported. Exempted findings stay in the report, marked `exempted: {by: preset, preset: <id>}`.
 */
import type { Language, Localized } from '../engine/i18n.ts';
import type { ExemptionPreset, PresetQuery } from '../engine/presets.ts';
import type { ContainerNode } from '../engine/rule.ts';
import type { ExemptionPresetId } from './ids.ts';

/** `[registry/]path[:tag][@digest]` to its lower-case path: `quay.io/calico/node:v3.29` → `calico/node`. */
export function imageRepository(image: string): string {
  let name = image.trim().toLowerCase();
  const at = name.indexOf('@');
  if (at !== -1) name = name.slice(0, at);
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) name = name.slice(0, colon);
  const parts = name.split('/');
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost'))
    parts.shift();
  if (parts.length > 1 && parts[0] === 'library') parts.shift();
  return parts.join('/');
}

/** Whether `repository` is one of `repositories`, or one of them under a mirror's prefix. */
function isOneOf(repository: string, repositories: readonly string[]): boolean {
  return repositories.some((r) => repository === r || repository.endsWith(`/${r}`));
}

/** Collapses `//` and `/./` and drops a trailing `/`; relative (Windows) paths are left as they are. */
export function normaliseHostPath(path: string): string {
  if (!path.startsWith('/')) return path;
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return `/${parts.join('/')}`;
}

/** `path` is `prefix` or lies under it (at a `/` boundary: `/var/logs` is not under `/var/log`). */
function under(path: string, prefix: string): boolean {
  return prefix === '/' ? path === '/' : path === prefix || path.startsWith(`${prefix}/`);
}

interface HostPathVolume {
  readonly name: string;
  readonly path: string;
}

/** The hostPath volume a `host-path` finding points at (`…volumes[i].hostPath.path`). */
function hostPathVolume(query: PresetQuery): HostPathVolume | undefined {
  const at = query.workload.podSpecPath.length;
  if (query.path[at] !== 'volumes') return undefined;
  const volume = query.workload.podSpec.volumes?.[query.path[at + 1] as number];
  const raw = volume?.hostPath?.path;
  if (!volume || typeof raw !== 'string') return undefined;
  return { name: volume.name, path: normaliseHostPath(raw) };
}

function mountsOf(node: ContainerNode, volume: string) {
  return (node.container.volumeMounts ?? []).filter((m) => m.name === volume);
}

function runsImage(node: ContainerNode, repositories: readonly string[]): boolean {
  const image = node.container.image;
  return (
    node.role !== 'ephemeralContainers' &&
    typeof image === 'string' &&
    isOneOf(imageRepository(image), repositories)
  );
}

/** One preset for agents identified by their own images. */
interface AgentPreset {
  readonly id: ExemptionPresetId;
  readonly reason: Localized;
  /** Image repositories of the agent's containers (init containers included). */
  readonly images: readonly string[];
  /** Rules exempted on a container that runs one of `images`. */
  readonly containerRules: readonly string[];
  /** Pod-level rules exempted when a long-running container of the pod runs one of `images`. */
  readonly podRules: readonly string[];
  /** Host paths (and what lies under them) exempted from `host-path` when only agent containers mount them. */
  readonly hostPaths: readonly string[];
  /** Only read-only mounts of those host paths are exempted. */
  readonly readOnlyHostPaths?: boolean;
}

function agentMatcher(preset: AgentPreset): (query: PresetQuery) => boolean {
  const containerRules = new Set(preset.containerRules);
  const podRules = new Set(preset.podRules);
  return (query) => {
    const isAgent = (node: ContainerNode) => runsImage(node, preset.images);
    if (containerRules.has(query.ruleId)) return query.container !== undefined && isAgent(query.container);
    if (query.container !== undefined) return false;
    if (podRules.has(query.ruleId)) return query.containers.some((node) => node.longRunning && isAgent(node));
    if (query.ruleId !== 'host-path') return false;
    const volume = hostPathVolume(query);
    if (!volume || !preset.hostPaths.some((prefix) => under(volume.path, prefix))) return false;
    const mounting = query.containers.filter((node) => mountsOf(node, volume.name).length > 0);
    if (mounting.length === 0) return query.containers.some(isAgent);
    if (!mounting.every(isAgent)) return false;
    return (
      !preset.readOnlyHostPaths ||
      mounting.every((node) => mountsOf(node, volume.name).every((m) => m.readOnly === true))
    );
  };
}

/** Directories of each CNI's own state, sockets and logs, under the usual roots. */
const CNI_STATE_DIRS = [
  'calico',
  'flannel',
  'cilium',
  'weave',
  'antrea',
  'kube-router',
  'openvswitch',
].flatMap((name) => [`/run/${name}`, `/var/run/${name}`, `/var/lib/${name}`, `/var/log/${name}`]);

/** What an agent that programs the node's network from its network namespace runs with. */
const NETWORK_AGENT_RULES = [
  'privileged',
  'capabilities-added',
  'privilege-escalation',
  'run-as-non-root',
  'run-as-root-user',
];

const AGENT_PRESETS: readonly AgentPreset[] = [
  {
    id: 'cni',
    reason: {
      en: 'CNI node agent (preset "cni"): it programs the node\'s network (interfaces, routes, iptables or eBPF) from the host network namespace, as root, with privileges or NET_ADMIN/SYS_ADMIN, and installs its plugin into the host\'s CNI directories. These cannot be dropped while it does its job.',
      'zh-CN':
        'CNI 节点代理（预设 "cni"）：它需要在宿主机网络命名空间中、以 root 身份、凭借特权或 NET_ADMIN/SYS_ADMIN 配置节点网络（网卡、路由、iptables 或 eBPF），并把插件安装到宿主机的 CNI 目录中。只要它还在履行职责，这些权限就无法去掉。',
    },
    images: [
      'calico/node',
      'calico/cni',
      'calico/pod2daemon-flexvol',
      'cilium/cilium',
      'flannel/flannel',
      'flannel/flannel-cni-plugin',
      'flannel-io/flannel',
      'coreos/flannel',
      'weaveworks/weave-kube',
      'weaveworks/weave-npc',
      'cloudnativelabs/kube-router',
      'amazon-k8s-cni',
      'amazon-k8s-cni-init',
      'antrea/antrea-agent-ubuntu',
      'antrea/antrea-ubuntu',
      'antrea/antrea-agent-ubi',
    ],
    containerRules: NETWORK_AGENT_RULES,
    podRules: ['host-network'],
    hostPaths: [
      '/etc/cni/net.d',
      '/opt/cni/bin',
      '/var/lib/cni',
      '/run/xtables.lock',
      '/lib/modules',
      '/sys/fs',
      '/proc',
      '/var/run/nodeagent',
      '/var/log/aws-routed-eni',
      '/var/run/aws-node',
      ...CNI_STATE_DIRS,
    ],
  },
  {
    id: 'kube-proxy',
    reason: {
      en: 'kube-proxy (preset "kube-proxy"): it writes the node\'s iptables, IPVS or nftables rules for Services from the host network namespace, which needs root and privileges (or NET_ADMIN), the host\'s xtables lock and kernel modules.',
      'zh-CN':
        'kube-proxy（预设 "kube-proxy"）：它在宿主机网络命名空间中为 Service 写入节点的 iptables、IPVS 或 nftables 规则，需要 root 和特权（或 NET_ADMIN）、宿主机的 xtables 锁和内核模块。',
    },
    images: ['kube-proxy', 'kube-proxy-amd64', 'kube-proxy-arm64'],
    containerRules: NETWORK_AGENT_RULES,
    podRules: ['host-network'],
    hostPaths: ['/run/xtables.lock', '/lib/modules'],
  },
  {
    id: 'node-exporter',
    reason: {
      en: "Prometheus node exporter (preset \"node-exporter\"): it reports the node's own metrics, so it reads the host's /proc, /sys and root filesystem (read-only) from the host's network and PID namespaces.",
      'zh-CN':
        'Prometheus node exporter（预设 "node-exporter"）：它上报的是节点自身的指标，因此要在宿主机的网络和 PID 命名空间中（以只读方式）读取宿主机的 /proc、/sys 和根文件系统。',
    },
    images: ['prometheus/node-exporter'],
    containerRules: [],
    podRules: ['host-network', 'host-pid'],
    hostPaths: ['/', '/proc', '/sys', '/run/dbus/system_bus_socket', '/run/udev/data'],
    readOnlyHostPaths: true,
  },
  {
    id: 'log-shipper',
    reason: {
      en: "Node log shipper (preset \"log-shipper\"): it tails every container's log files under the host's /var/log and the runtime's log directories, which are owned by root, and keeps its read positions on the host so that a restart neither loses nor repeats lines.",
      'zh-CN':
        '节点日志采集器（预设 "log-shipper"）：它要读取宿主机 /var/log 及容器运行时日志目录下每个容器的日志文件（属主为 root），并把读取位置保存在宿主机上，使重启后既不丢失也不重复日志。',
    },
    images: [
      'fluent/fluent-bit',
      'fluent/fluentd',
      'fluent/fluentd-kubernetes-daemonset',
      'grafana/promtail',
      'timberio/vector',
      'elastic/filebeat',
      'beats/filebeat',
    ],
    containerRules: ['run-as-non-root', 'run-as-root-user'],
    podRules: [],
    hostPaths: [
      '/var/log',
      '/var/lib/docker/containers',
      '/run/log/journal',
      '/etc/machine-id',
      '/var/lib/fluent-bit',
      '/var/fluent-bit',
      '/run/promtail',
      '/var/lib/vector',
      '/var/lib/filebeat-data',
    ],
  },
];

/** Every CSI node plugin runs the kubelet registration sidecar: that, not the driver's image, marks the pod. */
const CSI_REGISTRAR_IMAGES = ['csi-node-driver-registrar', 'node-driver-registrar'];
/** The kubelet directories a CSI node plugin mounts volumes into, and the host devices it formats. */
const CSI_HOST_PATHS = [
  '/var/lib/kubelet/plugins',
  '/var/lib/kubelet/plugins_registry',
  '/var/lib/kubelet/pods',
  '/dev',
];
/** Bidirectional propagation into these requires a privileged container (kubelet validation). */
const CSI_PROPAGATION_PATHS = ['/var/lib/kubelet'];
const CSI_CONTAINER_RULES = new Set([
  'privileged',
  'privilege-escalation',
  'run-as-non-root',
  'run-as-root-user',
]);

const CSI_REASON: Localized = {
  en: 'CSI node plugin (preset "csi-node"): the kubelet asks it to format host devices and mount volumes into the kubelet\'s plugin and pod directories, and mounts made there with Bidirectional propagation (which the kubelet allows only for privileged containers, as root) are what the pods see.',
  'zh-CN':
    'CSI 节点插件（预设 "csi-node"）：kubelet 要求它格式化宿主机设备，并把卷挂载到 kubelet 的插件目录和 Pod 目录中；这些挂载必须使用 Bidirectional 传播（kubelet 只允许特权容器、以 root 身份这样做），Pod 才能看到。',
};

/** Per pod (its container list): asked for every container finding, so a pod of 20,000 containers must not rescan them. */
const csiNodePlugins = new WeakMap<readonly ContainerNode[], boolean>();

function isCsiNodePlugin(query: PresetQuery): boolean {
  let known = csiNodePlugins.get(query.containers);
  if (known === undefined) {
    known = query.containers.some((node) => runsImage(node, CSI_REGISTRAR_IMAGES));
    csiNodePlugins.set(query.containers, known);
  }
  return known;
}

/** Whether the container mounts a kubelet directory of the host with Bidirectional propagation. */
function propagatesIntoKubelet(query: PresetQuery, node: ContainerNode): boolean {
  const volumes = query.workload.podSpec.volumes ?? [];
  return (node.container.volumeMounts ?? []).some((mount) => {
    if (mount.mountPropagation !== 'Bidirectional') return false;
    const raw = volumes.find((v) => v.name === mount.name)?.hostPath?.path;
    return typeof raw === 'string' && CSI_PROPAGATION_PATHS.some((p) => under(normaliseHostPath(raw), p));
  });
}

function csiMatcher(query: PresetQuery): boolean {
  if (!isCsiNodePlugin(query)) return false;
  if (CSI_CONTAINER_RULES.has(query.ruleId))
    return query.container !== undefined && propagatesIntoKubelet(query, query.container);
  if (query.ruleId !== 'host-path' || query.container !== undefined) return false;
  const volume = hostPathVolume(query);
  return volume !== undefined && CSI_HOST_PATHS.some((prefix) => under(volume.path, prefix));
}

export interface PresetDescription {
  readonly id: ExemptionPresetId;
  readonly reason: Localized;
  readonly rules: readonly string[];
  /** What identifies the agent. */
  readonly images: readonly string[];
  readonly hostPaths: readonly string[];
}

/** The presets as plain data, for docs and tests. */
export const NODE_AGENT_PRESETS: readonly PresetDescription[] = [
  ...AGENT_PRESETS.map((p) => ({
    id: p.id,
    reason: p.reason,
    rules: [...p.containerRules, ...p.podRules, ...(p.hostPaths.length > 0 ? ['host-path'] : [])],
    images: p.images,
    hostPaths: p.hostPaths,
  })),
  {
    id: 'csi-node',
    reason: CSI_REASON,
    rules: [...CSI_CONTAINER_RULES, 'host-path'],
    images: CSI_REGISTRAR_IMAGES,
    hostPaths: CSI_HOST_PATHS,
  },
];

/** The enabled presets, with their reasons in the report language. */
export function nodeAgentPresets(
  lang: Language,
  enabled: (id: ExemptionPresetId) => boolean,
): ExemptionPreset[] {
  const presets: ExemptionPreset[] = [];
  for (const description of NODE_AGENT_PRESETS) {
    if (!enabled(description.id)) continue;
    const agent = AGENT_PRESETS.find((p) => p.id === description.id);
    presets.push({
      id: description.id,
      reason: description.reason[lang],
      rules: new Set(description.rules),
      matches: agent ? agentMatcher(agent) : csiMatcher,
    });
  }
  return presets;
}
