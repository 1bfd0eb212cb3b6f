import type { Language, Localized } from '../../engine/i18n.ts';

/**
 * Every UI string of the terminal table and the HTML report, in each language. Keys are a TypeScript
 * type so a missing translation fails the type check. `{{name}}` placeholders are filled with
 * `interpolate` (engine/i18n.ts).
 */
const UI = {
  // Shared by the table and the HTML report.
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

  // HTML report: header and summary.
  reportTitle: { en: 'Kubernetes security inspection report', 'zh-CN': 'Kubernetes 安全巡检报告' },
  source_manifests: { en: 'manifest files', 'zh-CN': '清单文件' },
  source_cluster: { en: 'cluster', 'zh-CN': '集群' },
  clusterContext: { en: 'Cluster', 'zh-CN': '集群' },
  duration: { en: 'Scan took', 'zh-CN': '扫描耗时' },
  toolVersion: { en: 'Tool', 'zh-CN': '工具版本' },
  summary: { en: 'Summary', 'zh-CN': '概览' },
  overallScore: { en: 'Overall score', 'zh-CN': '总体评分' },
  scoreHint: {
    en: 'Mean of the workload scores. Each failing rule costs a workload points by its severity; exempted findings cost nothing.',
    'zh-CN': '各工作负载评分的平均值。工作负载每有一条规则未通过，就按严重程度扣分；已豁免的问题不扣分。',
  },
  scoreWithheld_partial: {
    en: 'No score: the scan could not list every workload kind (see Coverage).',
    'zh-CN': '无评分：本次扫描未能列出所有工作负载类型（见覆盖范围）。',
  },
  scoreWithheld_empty: {
    en: 'No score: the scan found no workload to inspect.',
    'zh-CN': '无评分：本次扫描未发现可检查的工作负载。',
  },
  coverage: { en: 'Coverage', 'zh-CN': '覆盖范围' },
  coveragePartial: {
    en: 'Partial scan: these lists were refused (403), so their findings are missing from this report.',
    'zh-CN': '部分扫描：以下列表被拒绝（403），其问题未包含在本报告中。',
  },
  coverageSummary: {
    en: '{{kinds}} workload kinds listed, {{inspected}} objects inspected in {{namespaces}} namespaces.',
    'zh-CN': '已列出 {{kinds}} 种工作负载类型，检查了 {{namespaces}} 个命名空间中的 {{inspected}} 个对象。',
  },
  coverageClusterWide: { en: 'all namespaces', 'zh-CN': '所有命名空间' },
  scoreGood: { en: 'good', 'zh-CN': '良好' },
  scoreFair: { en: 'needs work', 'zh-CN': '有待改进' },
  scorePoor: { en: 'poor', 'zh-CN': '较差' },
  bySeverity: { en: 'Findings by severity', 'zh-CN': '按严重程度统计' },
  bySeverityChart: {
    en: 'Bar chart of unexempted findings by severity',
    'zh-CN': '未豁免问题按严重程度分布的条形图',
  },
  workloadsAtRisk: {
    en: '{{n}} of {{total}} workloads have a critical or high finding.',
    'zh-CN': '{{total}} 个工作负载中有 {{n}} 个存在严重或高危问题。',
  },
  fixFirst: { en: 'Fix first', 'zh-CN': '优先修复' },
  fixFirstHint: {
    en: 'Rules with unexempted findings, most severe and most widespread first.',
    'zh-CN': '存在未豁免问题的规则，按严重程度和影响范围排序，请从上往下处理。',
  },
  ruleSpread: {
    en: '{{findings}} findings in {{workloads}} workloads',
    'zh-CN': '{{workloads}} 个工作负载，共 {{findings}} 个问题',
  },
  ruleSpreadOne: { en: '1 finding in 1 workload', 'zh-CN': '1 个工作负载，共 1 个问题' },
  allClear: { en: 'No unexempted findings: nothing to fix.', 'zh-CN': '没有未豁免的问题，无需修复。' },
  nothingInspected: {
    en: 'Nothing was inspected, so there is no verdict. Check the paths, the namespace and the permissions.',
    'zh-CN': '没有检查任何内容，因此没有结论。请检查路径、命名空间和权限。',
  },
  partialScan: {
    en: 'Part of the input could not be read (see Errors): no score, and no claim about what was not seen.',
    'zh-CN': '部分输入无法读取（见“错误”）：不给出评分，也不对未读取的部分下结论。',
  },
  pointsLost: { en: 'points lost', 'zh-CN': '扣分' },
  pointsLostHint: {
    en: 'Points lost across all workloads: {{n}}. Unlike the score it has no floor, so every fix lowers it.',
    'zh-CN': '所有工作负载合计扣分：{{n}}。与评分不同，它没有下限，每修复一个问题都会下降。',
  },
  coverageWorkloads: { en: 'workloads inspected: {{n}}', 'zh-CN': '已检查 {{n}} 个工作负载' },
  coverageFiles: { en: 'files read: {{n}}', 'zh-CN': '已读取 {{n}} 个文件' },
  coverageNamespaces: { en: 'namespaces: {{n}}', 'zh-CN': '{{n}} 个命名空间' },
  coverageDenied: { en: 'could not list: {{list}}', 'zh-CN': '无权列出：{{list}}' },
  moreRules: { en: 'and {{count}} more rules below', 'zh-CN': '另有 {{count}} 条规则，见下文' },

  // Navigation.
  nav: { en: 'Sections', 'zh-CN': '目录' },
  navFindings: { en: 'Findings', 'zh-CN': '问题详情' },
  navBreakdown: { en: 'Breakdown', 'zh-CN': '分布统计' },
  navRules: { en: 'Rules checked', 'zh-CN': '检查规则' },

  // Changes since the previous report.
  changes: { en: 'Changes since the previous scan', 'zh-CN': '与上次扫描相比' },
  previousScan: { en: 'Previous scan', 'zh-CN': '上次扫描' },
  previousScore: { en: 'Previous score', 'zh-CN': '上次评分' },
  noChanges: { en: 'No new or resolved findings.', 'zh-CN': '没有新增或已修复的问题。' },
  exemptedSince: {
    en: 'Exempted since last scan (not fixed)',
    'zh-CN': '相比上次新增豁免（并未修复）',
  },
  expiredSince: {
    en: 'Exemption expired since last scan (counts again)',
    'zh-CN': '相比上次豁免已过期（重新计分）',
  },

  // Terminal table.
  notShown: {
    en: 'Not shown: {{counts}} (--min-severity {{next}} lists them)',
    'zh-CN': '未显示：{{counts}}（使用 --min-severity {{next}} 列出）',
  },
  exemptionExpiredShort: { en: 'exemption expired {{date}}', 'zh-CN': '豁免已于 {{date}} 过期' },

  // Breakdowns.
  breakdown: { en: 'Breakdown', 'zh-CN': '分布统计' },
  byNamespace: { en: 'By namespace', 'zh-CN': '按命名空间' },
  byRule: { en: 'By rule', 'zh-CN': '按规则' },
  worstWorkloads: { en: 'Lowest-scoring workloads', 'zh-CN': '评分最低的工作负载' },
  namespace: { en: 'Namespace', 'zh-CN': '命名空间' },
  noNamespace: { en: '(no namespace)', 'zh-CN': '（未指定命名空间）' },
  rule: { en: 'Rule', 'zh-CN': '规则' },
  severity: { en: 'Severity', 'zh-CN': '严重程度' },
  workload: { en: 'Workload', 'zh-CN': '工作负载' },
  kind: { en: 'Kind', 'zh-CN': '类型' },
  containerHeading: { en: 'Container', 'zh-CN': '容器' },
  podLevel: { en: '(pod)', 'zh-CN': '（Pod 级别）' },
  problem: { en: 'Problem', 'zh-CN': '问题描述' },
  location: { en: 'Location', 'zh-CN': '位置' },
  addField: { en: 'add', 'zh-CN': '需添加' },
  affected: { en: 'Workloads affected', 'zh-CN': '受影响的工作负载' },

  // Findings grouped by rule.
  findingsByRule: { en: 'Findings by rule', 'zh-CN': '问题详情（按规则）' },
  why: { en: 'Why it matters', 'zh-CN': '为什么重要' },
  howToFix: { en: 'How to fix', 'zh-CN': '如何修复' },
  example: { en: 'Example', 'zh-CN': '示例' },
  references: { en: 'References', 'zh-CN': '参考资料' },
  pssLevel: { en: 'Pod Security Standards', 'zh-CN': 'Pod 安全标准' },
  pss_baseline: { en: 'Baseline', 'zh-CN': '基线级（Baseline）' },
  pss_restricted: { en: 'Restricted', 'zh-CN': '受限级（Restricted）' },
  notPss: { en: 'hardening advice', 'zh-CN': '加固建议' },
  category_pod_security: { en: 'Pod security', 'zh-CN': 'Pod 安全' },
  category_hardening: { en: 'Hardening', 'zh-CN': '安全加固' },
  category_kube_patrol: { en: 'kube-patrol', 'zh-CN': 'kube-patrol' },
  exemptionExpired: {
    en: 'Exemption expired on {{date}}: {{reason}}',
    'zh-CN': '豁免已于 {{date}} 过期：{{reason}}',
  },
  severityDiffers: { en: 'severity of this finding', 'zh-CN': '该问题的严重程度' },

  // Machine fixes (kube-patrol fix, kubectl patch).
  fixesTitle: { en: 'Fix commands', 'zh-CN': '修复命令' },
  fixesHint: {
    en: 'One `kubectl patch` per workload, on the object you edit (a Deployment, not its pods), combining the machine fixes of its findings. Safe fixes cannot change what the workload does; review fixes may break the app: read them first. Change the manifest too, or the next deploy undoes the patch.',
    'zh-CN':
      '每个工作负载一条 `kubectl patch` 命令，作用于你实际编辑的对象（Deployment，而不是它的 Pod），合并了其各问题的自动修复。safe 修复不会改变工作负载的行为；review 修复可能导致应用异常，请先阅读。请同时修改清单，否则下次部署会覆盖该补丁。',
  },
  fixesHintManifests: {
    en: 'For the files themselves: `kube-patrol fix PATH --diff` shows the change and `--write` makes it (docs/fixes.md).',
    'zh-CN': '直接修改文件：`kube-patrol fix PATH --diff` 显示改动，`--write` 写入文件（docs/fixes.md）。',
  },
  fixesSafe: { en: 'Safe fixes', 'zh-CN': 'safe 修复' },
  fixesAll: {
    en: 'With the review fixes (may break the app)',
    'zh-CN': '包含 review 修复（可能导致应用异常）',
  },
  fixesPod: {
    en: 'A Pod takes most of these fields only when it is created: fix the manifest it came from and create it again.',
    'zh-CN': 'Pod 的这些字段大多只能在创建时设置：请修改其来源清单后重新创建。',
  },
  fixesMore: {
    en: '{{count}} more workloads have fixes: report.json carries the patch of every finding, and `kube-patrol fix` applies them to manifest files.',
    'zh-CN':
      '另有 {{count}} 个工作负载有修复：report.json 中包含每个问题的补丁，`kube-patrol fix` 可将其应用到清单文件。',
  },
  copy: { en: 'Copy', 'zh-CN': '复制' },
  copied: { en: 'Copied', 'zh-CN': '已复制' },

  // Exempted findings.
  accessTitle: { en: 'Access: who can do what', 'zh-CN': '访问权限：谁能做什么' },
  accessHint: {
    en: 'RBAC powers found by the rbac-* rules: per workload, what its service account can do and through which bindings; per binding, who gets what.',
    'zh-CN':
      'rbac-* 规则发现的 RBAC 权限：按工作负载列出其服务账号能做什么以及通过哪些绑定获得；按绑定列出谁获得了什么。',
  },
  accessWorkloads: { en: 'Workloads and their service accounts', 'zh-CN': '工作负载及其服务账号' },
  accessBindings: { en: 'Bindings', 'zh-CN': '绑定' },
  power: { en: 'Power', 'zh-CN': '权限' },
  evidence: { en: 'Through', 'zh-CN': '授予途径' },
  exemptedFindings: { en: 'Exempted findings', 'zh-CN': '已豁免的问题' },
  exemptedHint: {
    en: 'Not counted in the score. Check that each reason still holds.',
    'zh-CN': '以下问题不计入评分，请定期确认豁免理由是否仍然成立。',
  },
  exemptedBy: { en: 'Exempted by', 'zh-CN': '豁免方式' },
  exemptBy_annotation: { en: 'annotation', 'zh-CN': '注解' },
  exemptBy_config: { en: 'config', 'zh-CN': '配置文件' },
  exemptBy_preset: { en: 'preset', 'zh-CN': '内置预设' },
  reason: { en: 'Reason', 'zh-CN': '豁免理由' },
  expires: { en: 'expires {{date}}', 'zh-CN': '{{date}} 到期' },

  // Errors.
  errorsHint: {
    en: 'These inputs could not be inspected; the report covers everything else.',
    'zh-CN': '以下输入未能检查；报告已涵盖其余全部内容。',
  },
  message: { en: 'Message', 'zh-CN': '信息' },

  // Rules checked.
  rulesChecked: { en: 'Rules checked', 'zh-CN': '已检查的规则' },
  passed: { en: 'passed', 'zh-CN': '通过' },
  findingsCount: { en: '{{n}} findings', 'zh-CN': '{{n}} 个问题' },
  findingsCountOne: { en: '1 finding', 'zh-CN': '1 个问题' },
  exemptedCount: { en: '{{n}} exempted', 'zh-CN': '{{n}} 个已豁免' },
  defaultSeverity: { en: 'Rule severity', 'zh-CN': '规则严重程度' },
  status: { en: 'Result', 'zh-CN': '结果' },

  // Filters (JavaScript only).
  filters: { en: 'Filter findings', 'zh-CN': '筛选问题' },
  allNamespaces: { en: 'All namespaces', 'zh-CN': '全部命名空间' },
  allRules: { en: 'All rules', 'zh-CN': '全部规则' },
  search: { en: 'Search', 'zh-CN': '搜索' },
  searchPlaceholder: { en: 'name, image, field…', 'zh-CN': '名称、镜像、字段……' },
  reset: { en: 'Reset', 'zh-CN': '重置' },
  showing: { en: 'Showing {{shown}} of {{total}} findings', 'zh-CN': '显示 {{shown}} / {{total}} 个问题' },
  noMatch: { en: 'No finding matches the filters.', 'zh-CN': '没有符合筛选条件的问题。' },
} as const satisfies Record<string, Localized>;

export type UiKey = keyof typeof UI;

export function ui(key: UiKey, lang: Language): string {
  return UI[key][lang];
}

/** Every UI string in one language, for templates. */
export function uiStrings(lang: Language): Readonly<Record<UiKey, string>> {
  return Object.fromEntries(Object.entries(UI).map(([key, text]) => [key, text[lang]])) as Record<
    UiKey,
    string
  >;
}

export const UI_STRINGS: Readonly<Record<UiKey, Localized>> = UI;
