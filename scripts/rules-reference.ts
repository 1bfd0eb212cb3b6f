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
  ].join('\n'),
  'zh-CN': [
    '# 规则参考',
    '',
    '<!-- 由 `npm run docs` 根据规则元数据生成，请勿手工编辑；内容与代码不一致时测试会失败。 -->',
    '',
    'kube-patrol 执行的全部检查项。规则 ID 是公开约定：报告、配置（`rules:`）、豁免注解',
    '（`kube-patrol.io/exempt.<id>`）和本页都使用它们。严重程度为默认值，可在配置中覆盖或设为 `off`。',
    '带 PSS 级别的规则与所选 `--pss-version` 的上游 Pod 安全标准检查完全一致。English: [rules.md](rules.md).',
  ].join('\n'),
};

const TABLE_HEAD: Record<Language, string> = {
  en: '| Rule | Severity | PSS level | Upstream check | Title |',
  'zh-CN': '| 规则 | 严重程度 | PSS 级别 | 上游检查 | 标题 |',
};

export function renderRulesReference(rules: readonly AnyRule[], lang: Language): string {
  const rows = rules.map(
    ({ meta }) =>
      `| [\`${meta.id}\`](#${meta.id}) | ${meta.severity} | ${meta.pss?.level ?? '-'} | ${meta.pss ? `\`${meta.pss.check}\`` : '-'} | ${meta.title[lang]} |`,
  );
  const sections = rules.map(({ meta }) => `<a id="${meta.id}"></a>\n\n${renderRuleDoc(meta, lang, 2)}`);
  return [INTRO[lang], '', TABLE_HEAD[lang], '|---|---|---|---|---|', ...rows, '', ...sections].join('\n');
}

export const RULES_REFERENCE_FILES: Record<Language, string> = {
  en: 'docs/rules.md',
  'zh-CN': 'docs/rules.zh-CN.md',
};
