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
    `${hashes}# ${h.refs}`,
    '',
    ...meta.docs.references.map((r) => `- [${r.title}](${r.url})`),
    '',
  ];
  return lines.join('\n');
}
