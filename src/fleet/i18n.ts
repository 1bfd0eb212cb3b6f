import type { Language, Localized } from '../engine/i18n.ts';
import { uiStrings, type UiKey } from '../report/i18n/ui.ts';

/**
 * The strings of the fleet page that the HTML report does not have, in each language; a missing
 * translation fails the type check. The page also uses the report's (severities, Score, Generated, ...).
 */
const FLEET_UI = {
  title: { en: 'Kubernetes fleet security overview', 'zh-CN': 'Kubernetes 多集群安全概览' },
  staleAfter: { en: 'Stale after', 'zh-CN': '过期阈值' },
  clustersRead: { en: '{{read}} of {{total}} clusters read', 'zh-CN': '已读取 {{read}} / {{total}} 个集群' },
  unreadableCount: { en: '{{n}} could not be read', 'zh-CN': '{{n}} 个无法读取' },
  staleCount: { en: '{{n}} stale', 'zh-CN': '{{n}} 个已过期' },
  fleetScore: { en: 'Mean score', 'zh-CN': '平均评分' },
  clusters: { en: 'Clusters', 'zh-CN': '集群' },
  cluster: { en: 'Cluster', 'zh-CN': '集群' },
  context: { en: 'Context', 'zh-CN': '上下文' },
  status: { en: 'Status', 'zh-CN': '状态' },
  trend: { en: 'Trend', 'zh-CN': '趋势' },
  trendLabel: {
    en: 'Score over the last {{n}} stored scans: {{scores}}',
    'zh-CN': '最近 {{n}} 次已存储扫描的评分：{{scores}}',
  },
  lastScan: { en: 'Last scan', 'zh-CN': '最近扫描' },
  ago: { en: '{{age}} ago', 'zh-CN': '{{age}}前' },
  worstRules: { en: 'Worst rules', 'zh-CN': '最严重的规则' },
  fullReport: { en: 'Full report', 'zh-CN': '完整报告' },
  noReportFile: { en: 'not available', 'zh-CN': '不可用' },
  scanErrors: { en: '{{n}} scan errors', 'zh-CN': '{{n}} 个扫描错误' },
  status_ok: { en: 'ok', 'zh-CN': '正常' },
  status_stale: { en: 'stale', 'zh-CN': '已过期' },
  status_unreachable: { en: 'unreachable', 'zh-CN': '无法连接' },
  status_forbidden: { en: 'access denied', 'zh-CN': '无权访问' },
  'status_no-report': { en: 'no report', 'zh-CN': '无报告' },
  status_invalid: { en: 'invalid report', 'zh-CN': '报告无效' },
  'status_config-error': { en: 'context error', 'zh-CN': '上下文错误' },
  partial: { en: 'partly read', 'zh-CN': '部分读取' },
  rulesAcross: { en: 'Rules failing in the most clusters', 'zh-CN': '在最多集群中未通过的规则' },
  rulesAcrossHint: {
    en: 'Unexempted findings in the clusters whose full report was read.',
    'zh-CN': '统计已读取完整报告的集群中未豁免的问题。',
  },
  inClusters: { en: 'Clusters', 'zh-CN': '集群数' },
  workloadsFailing: { en: 'Workloads failing', 'zh-CN': '未通过的工作负载' },
  workloadsAcross: { en: 'Workloads failing in several clusters', 'zh-CN': '在多个集群中未通过的工作负载' },
  workloadsAcrossHint: {
    en: 'Matched by kind, namespace and name; “everywhere” means in every cluster whose full report was read.',
    'zh-CN': '按类型、命名空间和名称匹配；“所有集群”指所有已读取完整报告的集群。',
  },
  workload: { en: 'Workload', 'zh-CN': '工作负载' },
  everywhere: { en: 'everywhere', 'zh-CN': '所有集群' },
  commonRules: { en: 'Failing in all of them', 'zh-CN': '共同未通过的规则' },
  none: { en: 'None.', 'zh-CN': '无。' },
  problems: { en: 'What could not be read', 'zh-CN': '无法读取的内容' },
  noClusterRead: { en: 'No cluster could be read.', 'zh-CN': '没有可读取的集群。' },
} as const satisfies Record<string, Localized>;

export type FleetUiKey = keyof typeof FLEET_UI | UiKey;

export function fleetStrings(lang: Language): Readonly<Record<FleetUiKey, string>> {
  const own = Object.fromEntries(Object.entries(FLEET_UI).map(([key, text]) => [key, text[lang]]));
  return { ...uiStrings(lang), ...own } as Record<FleetUiKey, string>;
}
