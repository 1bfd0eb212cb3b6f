import { securityContextSites } from '../../engine/traverse.ts';
import { defineRule } from '../../engine/rule.ts';
import { NSA_HARDENING_REFERENCE, PSS_REFERENCE, SECCOMP_REFERENCE, cisReference } from '../references.ts';

/** The only profile types upstream accepts wherever a seccompProfile is set. */
const CONFINED_TYPES: ReadonlySet<string> = new Set(['RuntimeDefault', 'Localhost']);

const CIS_REFERENCE = cisReference(
  'v1.9, 5.7.2: Ensure that the seccomp profile is set to docker/default (RuntimeDefault) in your pod definitions',
);

export const seccompUnconfined = defineRule({
  meta: {
    id: 'seccomp-unconfined',
    subject: 'pod-spec',
    title: { en: 'seccomp explicitly disabled', 'zh-CN': '显式关闭了 seccomp' },
    category: 'pod-security',
    severity: 'high',
    pss: { level: 'baseline', check: 'seccompProfile_baseline' },
    messages: {
      podUnconfined: {
        en: 'The pod sets `securityContext.seccompProfile.type: "{{type}}"`: every container that does not set its own profile runs without syscall filtering.',
        'zh-CN':
          'Pod 设置了 `securityContext.seccompProfile.type: "{{type}}"`：所有未单独设置配置的容器都将在没有系统调用过滤的情况下运行。',
      },
      containerUnconfined: {
        en: 'Container "{{container}}" sets `seccompProfile.type: "{{type}}"`: it runs without syscall filtering.',
        'zh-CN':
          '容器 "{{container}}" 设置了 `seccompProfile.type: "{{type}}"`：该容器将在没有系统调用过滤的情况下运行。',
      },
    },
    docs: {
      why: {
        en: 'seccomp blocks the rarely used system calls through which most kernel exploits escape a container; `Unconfined` turns that filter off.',
        'zh-CN':
          'seccomp 会拦截那些很少用到、却是大多数内核漏洞借以逃逸容器的系统调用；`Unconfined` 等于把这层过滤完全关掉。',
      },
      fix: {
        en: 'Use `seccompProfile: {type: RuntimeDefault}` (pod level, or on the container), or a `Localhost` profile generated from an strace of the app when the runtime default blocks a call it needs. The legacy annotation `seccomp.security.alpha.kubernetes.io/pod: runtime/default` no longer works. The kubelet flag `--seccomp-default` (GA in v1.27) makes RuntimeDefault the default on the node, but an explicit `Unconfined` still wins.',
        'zh-CN':
          '改用 `seccompProfile: {type: RuntimeDefault}`（在 Pod 级或容器级设置）；如果运行时默认配置拦截了应用必需的系统调用，可根据对应用的 strace 结果生成 `Localhost` 配置。旧的注解 `seccomp.security.alpha.kubernetes.io/pod: runtime/default` 已不再生效。kubelet 参数 `--seccomp-default`（v1.27 起 GA）可让 RuntimeDefault 成为节点默认配置，但显式设置的 `Unconfined` 仍会覆盖它。',
      },
      snippet: [
        'securityContext:',
        '  seccompProfile:',
        '    type: RuntimeDefault',
        'containers:',
        '  - name: app',
        '    # no seccompProfile of type Unconfined here',
      ].join('\n'),
      severity: {
        en: 'High: the spec turns syscall filtering off on purpose, even where the kubelet would apply RuntimeDefault.',
        'zh-CN': '高：spec 有意关闭了系统调用过滤，即使 kubelet 本会默认应用 RuntimeDefault。',
      },
      references: [PSS_REFERENCE.baseline, SECCOMP_REFERENCE, CIS_REFERENCE, NSA_HARDENING_REFERENCE],
    },
  },
  check(context) {
    // Upstream rejects any set profile whose type is not RuntimeDefault or Localhost (Unconfined, empty,
    // unknown), at pod and container level alike, Windows pods included.
    for (const site of securityContextSites(context.podSpec, context.podSpecPath, context.containers)) {
      const profile = site.securityContext?.seccompProfile;
      if (profile && !CONFINED_TYPES.has(profile.type ?? '')) {
        context.report({
          messageId: site.container ? 'containerUnconfined' : 'podUnconfined',
          data: { ...site.data, type: profile.type ?? '' },
          path: [...site.path, 'seccompProfile', 'type'],
          ...(site.container ? { container: site.container } : {}),
        });
      }
    }
  },
});
