import { defineRule, type Reference } from '../../engine/rule.ts';
import { securityContextSites } from '../../engine/traverse.ts';
import { SECCOMP_REFERENCE } from '../references.ts';

const SPO_REFERENCE: Reference = {
  title: 'Security Profiles Operator: apply a SeccompProfile to a pod',
  url: 'https://github.com/kubernetes-sigs/security-profiles-operator/blob/main/installation-usage.md',
};

/** Where the Security Profiles Operator installs a SeccompProfile on the nodes: operator/NS/NAME.json. */
const SPO_PATH = /^operator\/([^/]+)\/([^/]+)\.json$/;

export const seccompProfileNotFound = defineRule({
  meta: {
    id: 'seccomp-profile-not-found',
    subject: 'pod-spec',
    facts: ['SeccompProfile'],
    title: {
      en: 'Localhost profile names a missing SeccompProfile',
      'zh-CN': 'Localhost 配置引用的 SeccompProfile 不存在',
    },
    category: 'hardening',
    severity: 'high',
    pss: null,
    messages: {
      podProfileMissing: {
        en: "The pod's `localhostProfile: {{profile}}` is the file of SeccompProfile {{namespace}}/{{name}}, which does not exist: the pod will not start (CreateContainerError).",
        'zh-CN':
          'Pod 的 `localhostProfile: {{profile}}` 对应 SeccompProfile {{namespace}}/{{name}}，而它不存在：Pod 将无法启动（CreateContainerError）。',
      },
      containerProfileMissing: {
        en: 'Container "{{container}}" uses `localhostProfile: {{profile}}`, the file of SeccompProfile {{namespace}}/{{name}}, which does not exist: it will not start (CreateContainerError).',
        'zh-CN':
          '容器 "{{container}}" 使用 `localhostProfile: {{profile}}`，对应 SeccompProfile {{namespace}}/{{name}}，而它不存在：容器将无法启动（CreateContainerError）。',
      },
    },
    docs: {
      why: {
        en: 'The kubelet refuses to start a container whose Localhost profile file is missing on its node. With the Security Profiles Operator, the file `operator/<namespace>/<name>.json` exists only while the SeccompProfile of that name does.',
        'zh-CN':
          '节点上缺少 Localhost 配置文件时，kubelet 拒绝启动该容器。使用 Security Profiles Operator 时，文件 `operator/<namespace>/<name>.json` 仅在同名 SeccompProfile 存在时才存在。',
      },
      fix: {
        en: 'Create the SeccompProfile (e.g. from `kube-patrol seccomp profile --from-strace TRACE -o spo --name NAME --namespace NS`), or correct the name in `localhostProfile`. Checked only when the scan could read SeccompProfiles (in files: when the files hold at least one).',
        'zh-CN':
          '创建该 SeccompProfile（例如用 `kube-patrol seccomp profile --from-strace TRACE -o spo --name NAME --namespace NS` 生成），或更正 `localhostProfile` 中的名称。仅当扫描能读取 SeccompProfile 时才检查（文件扫描：文件中至少有一个 SeccompProfile）。',
      },
      snippet: [
        'securityContext:',
        '  seccompProfile:',
        '    type: Localhost',
        '    localhostProfile: operator/shop/web.json   # SeccompProfile shop/web must exist',
      ].join('\n'),
      severity: {
        en: 'High: the kubelet refuses to start a container whose Localhost profile is missing, so the next rollout or reschedule stops that workload; fix the name or create the profile before it does.',
        'zh-CN':
          '高：Localhost 配置文件缺失时 kubelet 拒绝启动容器，下一次发布或重新调度就会让该工作负载停止运行；应在此之前修正名称或创建该配置文件。',
      },
      references: [SECCOMP_REFERENCE, SPO_REFERENCE],
    },
  },
  check(context) {
    const kind = 'SeccompProfile';
    // Absence means nothing when the scan could not read the kind (no CRD, forbidden, none in the files).
    if (!context.facts.known(kind)) return;
    const present = context.facts.derive('seccomp-profile-names', (facts) => {
      const names = new Set<string>();
      for (const p of facts.objects(kind)) names.add(`${p.namespace ?? ''}/${p.name}`);
      return names;
    });
    for (const site of securityContextSites(context.podSpec, context.podSpecPath, context.containers)) {
      const profile = site.securityContext?.seccompProfile;
      if (profile?.type !== 'Localhost' || typeof profile.localhostProfile !== 'string') continue;
      const match = SPO_PATH.exec(profile.localhostProfile);
      if (!match) continue;
      const [, namespace, name] = match as unknown as [string, string, string];
      if (present.has(`${namespace}/${name}`)) continue;
      context.report({
        messageId: site.container ? 'containerProfileMissing' : 'podProfileMissing',
        data: { ...site.data, profile: profile.localhostProfile, namespace, name },
        path: [...site.path, 'seccompProfile', 'localhostProfile'],
        ...(site.container ? { container: site.container } : {}),
      });
    }
  },
});
