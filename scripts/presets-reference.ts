import type { Language } from '../src/engine/i18n.ts';
import { NODE_AGENT_PRESETS } from '../src/presets/node-agents.ts';

const TEXT = {
  en: {
    title: '# Exemption presets for node agents',
    generated:
      '<!-- Generated from src/presets/node-agents.ts by `npm run docs`; do not edit by hand. A test fails when it drifts. -->',
    intro: [
      "Some findings are the job description of a node agent: a CNI plugin programs the node's network from",
      "the host network namespace, a CSI node plugin mounts volumes into the kubelet's directories. Reporting",
      'them on every scan teaches people to ignore the report, so kube-patrol ships **exemption presets** for',
      'well-known agents. A preset exempts a finding only when all of these hold:',
      '',
      "- the finding is of one of the preset's rules (below);",
      '- for a container finding (`privileged`, `capabilities-added`, …): that container runs one of the',
      "  preset's images. The image is compared by repository path, without registry, tag or digest, and a",
      '  mirror prefix is allowed (`registry.internal/mirror/calico/node:v3.29` is `calico/node`);',
      '- for a pod-level finding (`host-network`, `host-pid`): a long-running container of the pod runs one of',
      '  those images;',
      "- for `host-path`: the host path is one of the preset's paths or lies under one (at a `/` boundary), and",
      '  every container that mounts the volume runs one of the images (for `node-exporter`: read-only mounts',
      '  only).',
      '',
      'CSI node plugins have no common image, so `csi-node` recognises the pod by the kubelet registration',
      'sidecar every CSI node plugin runs (`csi-node-driver-registrar`); it exempts the kubelet and `/dev`',
      'mounts, and `privileged` (with `privilege-escalation` and running as root) only on the container that',
      'mounts a kubelet directory with `mountPropagation: Bidirectional`, which the kubelet allows only for',
      'privileged containers. Mounting all of `/var/lib/kubelet` is broader than a CSI plugin needs and is not',
      'exempted as a host path.',
      '',
      'Findings an agent could fix (capabilities not dropped, seccomp, read-only root filesystem, probes,',
      'resources, image tags) are never exempted. Exempted findings stay in every report, marked',
      '`exempted: {by: preset, preset: <id>, reason}` (SARIF: an external suppression), and cost no score.',
      'Annotation and config exemptions take precedence. Switch presets off in the config:',
      '',
      '```yaml',
      'exemptionPresets: false            # all of them',
      'exemptionPresets: { cni: false }   # one of them; the others stay on',
      '```',
    ].join('\n'),
    rules: 'Rules',
    images: 'Images (repository path)',
    imagesCsi: 'Recognised by the sidecar image',
    paths: 'Host paths (`host-path`)',
    reason: 'Reason in the report',
  },
  'zh-CN': {
    title: '# 节点代理的豁免预设',
    generated:
      '<!-- 由 `npm run docs` 根据 src/presets/node-agents.ts 生成，请勿手工编辑；内容与代码不一致时测试会失败。 -->',
    intro: [
      '有些问题正是节点代理的本职工作：CNI 插件要在宿主机网络命名空间中配置节点网络，CSI 节点插件要把卷挂载到',
      'kubelet 的目录中。每次扫描都报告它们只会让人习惯性地忽略报告，因此 kube-patrol 为知名代理内置了**豁免预设**。',
      '只有同时满足以下条件时，预设才会豁免一条问题：',
      '',
      '- 问题属于该预设的规则之一（见下文）；',
      '- 容器级问题（`privileged`、`capabilities-added` 等）：该容器运行的是预设中的镜像之一。镜像按仓库路径比较，',
      '  不含镜像仓库地址、标签和摘要，允许镜像站前缀（`registry.internal/mirror/calico/node:v3.29` 即 `calico/node`）；',
      '- Pod 级问题（`host-network`、`host-pid`）：Pod 中有长期运行的容器运行这些镜像之一；',
      '- `host-path`：宿主机路径是预设路径之一或位于其下（按 `/` 边界），且挂载该卷的每个容器都运行这些镜像之一',
      '  （`node-exporter` 仅限只读挂载）。',
      '',
      'CSI 节点插件没有统一的镜像，因此 `csi-node` 通过每个 CSI 节点插件都会运行的 kubelet 注册边车',
      '（`csi-node-driver-registrar`）识别 Pod；它豁免 kubelet 目录和 `/dev` 的挂载，并且只对以',
      '`mountPropagation: Bidirectional` 挂载 kubelet 目录的容器豁免 `privileged`（以及 `privilege-escalation`',
      '和以 root 运行），因为 kubelet 只允许特权容器这样做。挂载整个 `/var/lib/kubelet` 超出了 CSI 插件的需要，',
      '不作为宿主机路径豁免。',
      '',
      '代理本可以修复的问题（未 drop 能力、seccomp、只读根文件系统、探针、资源、镜像标签）从不豁免。被豁免的问题',
      '仍保留在每份报告中，标记为 `exempted: {by: preset, preset: <id>, reason}`（SARIF 中为 external 抑制），',
      '不扣分。注解豁免和配置文件豁免优先。可在配置文件中关闭预设：',
      '',
      '```yaml',
      'exemptionPresets: false            # 全部关闭',
      'exemptionPresets: { cni: false }   # 只关闭一个，其余保持开启',
      '```',
    ].join('\n'),
    rules: '规则',
    images: '镜像（仓库路径）',
    imagesCsi: '通过边车镜像识别',
    paths: '宿主机路径（`host-path`）',
    reason: '报告中的理由',
  },
} as const;

export const PRESETS_REFERENCE_FILES: Record<Language, string> = {
  en: 'docs/exemption-presets.md',
  'zh-CN': 'docs/exemption-presets.zh-CN.md',
};

const code = (values: readonly string[]) => values.map((v) => `\`${v}\``).join(', ');

export function renderPresetsReference(lang: Language): string {
  const t = TEXT[lang];
  const sections = NODE_AGENT_PRESETS.map((preset) =>
    [
      `## \`${preset.id}\``,
      '',
      `- ${t.rules}: ${code(preset.rules)}`,
      `- ${preset.id === 'csi-node' ? t.imagesCsi : t.images}: ${code(preset.images)}`,
      `- ${t.paths}: ${code(preset.hostPaths)}`,
      `- ${t.reason}: ${preset.reason[lang]}`,
      '',
    ].join('\n'),
  );
  return [t.title, '', t.generated, '', t.intro, '', ...sections].join('\n');
}
