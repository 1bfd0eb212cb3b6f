import type { Language } from '../../engine/i18n.ts';
import type { RuleMeta } from '../../engine/rule.ts';

const HEADINGS = {
  en: {
    severity: 'Default severity',
    pss: 'Pod Security Standards',
    none: 'not a PSS check',
    why: 'Why it matters',
    fix: 'How to fix',
    example: 'Example',
    refs: 'References',
    since: 'Applies from policy version',
    severityWhy: 'Why this severity',
    options: 'Options',
    optionsIntro: 'Set in the config under `rules.{{id}}.options`:',
    defaultValue: 'default',
    machineFix: 'Machine fix',
    machineFixIntro:
      'Applied by `kube-patrol fix` ({{which}}), carried by the findings of reports (docs/fixes.md). Class',
    safeOnly: 'by default',
    reviewOnly: 'with `--include-review`',
  },
  'zh-CN': {
    severity: '默认严重程度',
    pss: 'Pod 安全标准（PSS）',
    none: '非 PSS 检查项',
    why: '为什么重要',
    fix: '如何修复',
    example: '示例',
    refs: '参考资料',
    since: '适用的最低策略版本',
    severityWhy: '为什么是这个严重程度',
    options: '选项',
    optionsIntro: '在配置文件的 `rules.{{id}}.options` 下设置：',
    defaultValue: '默认',
    machineFix: '自动修复',
    machineFixIntro:
      '由 `kube-patrol fix` 应用（{{which}}），报告中的问题也附带该修复（docs/fixes.zh-CN.md）。类别',
    safeOnly: '默认应用',
    reviewOnly: '需加 `--include-review`',
  },
} as const;

/** One rule's documentation as Markdown, from its metadata only (used by `kube-patrol rules ID` and docs/rules.md). */
export function renderRuleDoc(meta: RuleMeta, lang: Language, headingLevel = 1): string {
  const h = HEADINGS[lang];
  const hashes = '#'.repeat(headingLevel);
  const lines = [
    `${hashes} \`${meta.id}\`: ${meta.title[lang]}`,
    '',
    `- ${h.severity}: **${meta.severity}**`,
    `- ${h.pss}: ${meta.pss ? `${meta.pss.level} (\`${meta.pss.check}\`)` : h.none}`,
    ...(meta.sinceMinor ? [`- ${h.since}: v1.${meta.sinceMinor}`] : []),
    ...(meta.aliases?.length ? [`- aliases: ${meta.aliases.map((a) => `\`${a}\``).join(', ')}`] : []),
    '',
    `${hashes}# ${h.why}`,
    '',
    meta.docs.why[lang],
    '',
    `${hashes}# ${h.fix}`,
    '',
    meta.docs.fix[lang],
    '',
    '```yaml',
    meta.docs.snippet,
    '```',
    '',
    ...(meta.fix
      ? [
          `${hashes}# ${h.machineFix}`,
          '',
          `${h.machineFixIntro.replace('{{which}}', meta.fix.safety === 'safe' ? h.safeOnly : h.reviewOnly)}: **${meta.fix.safety}**. ${meta.fix.description[lang]}`,
          '',
        ]
      : []),
    ...(meta.docs.severity ? [`${hashes}# ${h.severityWhy}`, '', meta.docs.severity[lang], ''] : []),
    ...(meta.options && Object.keys(meta.options).length > 0
      ? [
          `${hashes}# ${h.options}`,
          '',
          h.optionsIntro.replace('{{id}}', meta.id),
          '',
          ...Object.entries(meta.options).map(
            ([name, option]) =>
              `- \`${name}\` (${h.defaultValue} \`${String(option.default)}\`): ${option.description[lang]}`,
          ),
          '',
        ]
      : []),
    `${hashes}# ${h.refs}`,
    '',
    ...meta.docs.references.map((r) => `- [${r.title}](${r.url})`),
    '',
  ];
  return lines.join('\n');
}
