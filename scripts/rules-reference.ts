import type { Language } from '../src/engine/i18n.ts';
import type { AnyRule } from '../src/engine/rule.ts';
import { renderRuleDoc } from '../src/report/render/rule-doc.ts';

const INTRO: Record<Language, string> = {
  en: [
    '# Rule reference',
    '',
    "<!-- Generated from the rules' metadata by `npm run docs`; do not edit by hand. A test fails when it drifts. -->",
    '',
    'Every check kube-patrol runs. Ids are a public contract: reports, config (`rules:`), exemptions',
    '(`kube-patrol.io/exempt.<id>`) and this page use them. Severity is the default; config can override it or',
    'turn a rule `off`. Rules with a PSS level follow the upstream Pod Security Standards checks exactly for the',
    'selected `--pss-version`. 简体中文版: [rules.zh-CN.md](rules.zh-CN.md).',
    '',
    '## Severity levels: what an ops team is expected to do',
    '',
    '| level | meaning | expected action |',
    '|---|---|---|',
    '| critical | the container controls the node (or the cluster) as it stands | fix, or exempt with a reason and an owner, before the next deploy; `--fail-on critical` blocks it in CI |',
    '| high | one step from node access, or a credential already exposed | fix within the current change window; an exemption needs a reason and an expiry |',
    '| medium | a missing layer of defence (the restricted level, pinned images, probe targets) | plan it: batch the fixes per team, then enforce `restricted` on the namespace |',
    '| low | hygiene and availability, no exposure by itself | fix when the manifest is next edited; nobody is paged |',
    '| info | context only | none |',
    '',
    'Each rule below says why its default is what it is ("Why this severity"). Well-known node agents (CNI, CSI',
    'node plugins, kube-proxy, node exporters, log shippers) get their unavoidable findings exempted by shipped',
    'presets, which the report shows as exempted: [exemption-presets.md](exemption-presets.md).',
  ].join('\n'),
  'zh-CN': [
    '# 规则参考',
    '',
    '<!-- 由 `npm run docs` 根据规则元数据生成，请勿手工编辑；内容与代码不一致时测试会失败。 -->',
    '',
    'kube-patrol 执行的全部检查项。规则 ID 是公开约定：报告、配置（`rules:`）、豁免注解',
    '（`kube-patrol.io/exempt.<id>`）和本页都使用它们。严重程度为默认值，可在配置中覆盖或设为 `off`。',
    '带 PSS 级别的规则与所选 `--pss-version` 的上游 Pod 安全标准检查完全一致。English: [rules.md](rules.md).',
    '',
    '## 严重程度：运维团队应当如何处理',
    '',
    '| 级别 | 含义 | 期望的处理 |',
    '|---|---|---|',
    '| critical（严重） | 容器在当前配置下即可控制节点（或集群） | 在下次发布前修复，或注明原因和负责人后豁免；CI 中 `--fail-on critical` 会阻止发布 |',
    '| high（高） | 距离获取节点权限只差一步，或凭据已经暴露 | 在当前变更窗口内修复；豁免须注明原因和到期时间 |',
    '| medium（中） | 缺少一层防护（restricted 级别、固定镜像版本、探针目标） | 有计划地处理：按团队批量修复，然后在命名空间上强制 `restricted` |',
    '| low（低） | 规范与可用性问题，本身不构成暴露 | 下次修改清单时处理；无需告警值班人员 |',
    '| info（提示） | 仅供参考 | 无需处理 |',
    '',
    '下面每条规则都说明了其默认严重程度的理由（“为什么是这个严重程度”）。知名节点代理（CNI、CSI 节点插件、',
    'kube-proxy、node exporter、日志采集器）无法避免的问题由内置预设豁免，报告中显示为已豁免：',
    '[exemption-presets.md](exemption-presets.md)。',
  ].join('\n'),
};

const TABLE_HEAD: Record<Language, string> = {
  en: '| Rule | Severity | PSS level | Upstream check | Machine fix | Title |',
  'zh-CN': '| 规则 | 严重程度 | PSS 级别 | 上游检查 | 自动修复 | 标题 |',
};

export function renderRulesReference(rules: readonly AnyRule[], lang: Language): string {
  const rows = rules.map(
    ({ meta }) =>
      `| [\`${meta.id}\`](#${meta.id}) | ${meta.severity} | ${meta.pss?.level ?? '-'} | ${meta.pss ? `\`${meta.pss.check}\`` : '-'} | ${meta.fix?.safety ?? '-'} | ${meta.title[lang]} |`,
  );
  const sections = rules.map(({ meta }) => `<a id="${meta.id}"></a>\n\n${renderRuleDoc(meta, lang, 2)}`);
  return [INTRO[lang], '', TABLE_HEAD[lang], '|---|---|---|---|---|---|', ...rows, '', ...sections].join(
    '\n',
  );
}

export const RULES_REFERENCE_FILES: Record<Language, string> = {
  en: 'docs/rules.md',
  'zh-CN': 'docs/rules.zh-CN.md',
};
