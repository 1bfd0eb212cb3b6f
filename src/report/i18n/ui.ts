import type { Language, Localized } from '../../engine/i18n.ts';

/**
 * Every UI string of the terminal table and the HTML report, in each language. Keys are a TypeScript
 * type so a missing translation fails the type check.
 */
const UI = {
  score: { en: 'Score', 'zh-CN': '安全评分' },
  workloads: { en: 'Workloads', 'zh-CN': '工作负载' },
  findings: { en: 'Findings', 'zh-CN': '问题' },
  exempted: { en: 'Exempted', 'zh-CN': '已豁免' },
  errors: { en: 'Errors', 'zh-CN': '错误' },
  noFindings: { en: 'No findings.', 'zh-CN': '未发现问题。' },
  severity_critical: { en: 'critical', 'zh-CN': '严重' },
  severity_high: { en: 'high', 'zh-CN': '高危' },
  severity_medium: { en: 'medium', 'zh-CN': '中危' },
  severity_low: { en: 'low', 'zh-CN': '低危' },
  severity_info: { en: 'info', 'zh-CN': '提示' },
  container: { en: 'container', 'zh-CN': '容器' },
  pod: { en: 'pod', 'zh-CN': 'Pod' },
  fix: { en: 'Fix', 'zh-CN': '修复' },
  exemptedBecause: { en: 'exempted', 'zh-CN': '已豁免' },
  skipped: { en: 'Skipped (no pod template)', 'zh-CN': '已跳过（不含 Pod 模板）' },
  pssVersion: { en: 'PSS version', 'zh-CN': 'PSS 版本' },
  source: { en: 'Source', 'zh-CN': '来源' },
  generatedAt: { en: 'Generated', 'zh-CN': '生成时间' },
  newSince: { en: 'New since last scan', 'zh-CN': '相比上次新增' },
  resolvedSince: { en: 'Resolved since last scan', 'zh-CN': '相比上次已修复' },
} as const satisfies Record<string, Localized>;

export type UiKey = keyof typeof UI;

export function ui(key: UiKey, lang: Language): string {
  return UI[key][lang];
}

export const UI_STRINGS: Readonly<Record<UiKey, Localized>> = UI;
