import { isAbsolute, relative, sep } from 'node:path';
import type { Language } from '../../engine/i18n.ts';
import type { RuleMeta } from '../../engine/rule.ts';
import type { Severity } from '../../engine/severity.ts';
import { uiStrings } from '../i18n/ui.ts';
import { inspectedNothing, type InspectionReport, type ReportFinding, type ReportRule } from '../model.ts';

export interface SarifOptions {
  /** Rule metadata: descriptions, fix and snippet for `tool.driver.rules`. */
  readonly rules: readonly RuleMeta[];
  /**
   * Directory that artifact URIs are relative to (`%SRCROOT%`), normally the working directory of the
   * scan. Only absolute source paths are rewritten; relative ones are kept as given.
   */
  readonly baseDir?: string;
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';

/** GitHub code scanning reads `security-severity` (a number as a string) to rank security alerts. */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** Stable key of `partialFingerprints`: the finding id is a hash of rule, workload, container and path. */
export const FINGERPRINT_KEY = 'kubePatrolFindingId/v2';

interface SarifMessage {
  readonly text: string;
  readonly markdown?: string;
}

/** Builds a file URI reference relative to `%SRCROOT%` (forward slashes, each segment percent-encoded). */
export function artifactUri(file: string, baseDir?: string): { uri: string; relative: boolean } {
  let path = file;
  if (baseDir && isAbsolute(path)) {
    const rel = relative(baseDir, path);
    if (!rel.startsWith('..') && !isAbsolute(rel)) path = rel;
  }
  const absolute = isAbsolute(path);
  const segments = path.split(sep === '\\' ? /[\\/]/ : '/').map((s) => encodeURIComponent(s));
  const joined = segments.join('/');
  return absolute
    ? { uri: `file://${joined.startsWith('/') ? '' : '/'}${joined}`, relative: false }
    : { uri: joined, relative: true };
}

function ruleHelp(meta: RuleMeta, lang: Language): SarifMessage {
  const t = uiStrings(lang);
  const refs = meta.docs.references;
  const text = [
    `${t.why}: ${meta.docs.why[lang]}`,
    '',
    `${t.howToFix}: ${meta.docs.fix[lang]}`,
    '',
    meta.docs.snippet,
    ...(refs.length ? ['', `${t.references}:`, ...refs.map((r) => `- ${r.title}: ${r.url}`)] : []),
  ].join('\n');
  const markdown = [
    `**${t.why}:** ${meta.docs.why[lang]}`,
    '',
    `**${t.howToFix}:** ${meta.docs.fix[lang]}`,
    '',
    '```yaml',
    meta.docs.snippet,
    '```',
    ...(refs.length ? ['', `**${t.references}:**`, '', ...refs.map((r) => `- [${r.title}](${r.url})`)] : []),
  ].join('\n');
  return { text, markdown };
}

function reportingDescriptor(
  rule: ReportRule,
  meta: RuleMeta | undefined,
  lang: Language,
): Record<string, unknown> {
  const tags = ['security', 'kubernetes', rule.category, ...(rule.pss ? [`pss-${rule.pss.level}`] : [])];
  return {
    id: rule.id,
    ...(meta?.aliases?.length ? { deprecatedIds: [...meta.aliases] } : {}),
    name: rule.id.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.title },
    ...(meta ? { fullDescription: { text: meta.docs.why[lang] }, help: ruleHelp(meta, lang) } : {}),
    ...(meta?.docs.references[0] ? { helpUri: meta.docs.references[0].url } : {}),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags,
      precision: 'very-high',
      'problem.severity': LEVEL[rule.severity] === 'note' ? 'recommendation' : LEVEL[rule.severity],
      'security-severity': SECURITY_SEVERITY[rule.severity],
      severity: rule.severity,
      ...(rule.pss ? { pss: { level: rule.pss.level, check: rule.pss.check } } : {}),
    },
  };
}

function logicalName(f: ReportFinding): string {
  const { kind, namespace, name } = f.workload;
  return `${kind}/${namespace ? `${namespace}/` : ''}${name}${f.container ? `/${f.container}` : ''}`;
}

/**
 * SARIF 2.1.0 log of a report: one result per finding (exempted ones carry `suppressions`), the rules
 * with their full documentation in `tool.driver.rules`. Meant for manifest scans, whose findings have
 * a file and a line; cluster findings only get a logical location.
 */
export function renderSarif(report: InspectionReport, options: SarifOptions): string {
  const lang = report.metadata.lang;
  const metaById = new Map(options.rules.map((m) => [m.id, m]));
  const rules: ReportRule[] = [...report.rules];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  // A finding of a rule that is not listed (a report from another version) still gets a descriptor.
  for (const f of report.findings) {
    if (index.has(f.ruleId)) continue;
    const meta = metaById.get(f.ruleId);
    index.set(f.ruleId, rules.length);
    rules.push({
      id: f.ruleId,
      title: meta?.title[lang] ?? f.ruleId,
      severity: meta?.severity ?? f.severity,
      category: f.category,
      pss: f.pss,
      subject: meta?.subject ?? 'pod-spec',
    });
  }

  const results = report.findings.map((f) => {
    // Standard input has no path: it is named `stdin` (not under %SRCROOT%), so the line still shows.
    const location = !f.source
      ? undefined
      : f.source.file === '-'
        ? { uri: 'stdin', relative: false }
        : artifactUri(f.source.file, options.baseDir);
    return {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId) as number,
      kind: 'fail',
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        {
          ...(location
            ? {
                physicalLocation: {
                  artifactLocation: {
                    uri: location.uri,
                    ...(location.relative ? { uriBaseId: '%SRCROOT%' } : {}),
                  },
                  ...(f.source?.line ? { region: { startLine: f.source.line } } : {}),
                },
              }
            : {}),
          logicalLocations: [
            { name: f.container ?? f.workload.name, fullyQualifiedName: logicalName(f), kind: 'object' },
          ],
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: f.id },
      ...(f.exempted
        ? {
            suppressions: [
              {
                kind: f.exempted.by === 'annotation' ? 'inSource' : 'external',
                justification: f.exempted.reason,
                ...(f.exempted.expires || f.exempted.preset
                  ? {
                      properties: {
                        ...(f.exempted.expires ? { expires: f.exempted.expires } : {}),
                        ...(f.exempted.preset ? { preset: f.exempted.preset } : {}),
                      },
                    }
                  : {}),
              },
            ],
          }
        : {}),
      properties: {
        severity: f.severity,
        'security-severity': SECURITY_SEVERITY[f.severity],
        workload: { kind: f.workload.kind, namespace: f.workload.namespace, name: f.workload.name },
        container: f.container,
        path: f.path,
        ...(f.missing ? { missing: f.missing } : {}),
        remediation: f.remediation,
        ...(f.exemptionExpired ? { exemptionExpired: f.exemptionExpired } : {}),
      },
    };
  });

  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: report.metadata.tool.name,
            version: report.metadata.tool.version,
            semanticVersion: report.metadata.tool.version,
            informationUri: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/',
            rules: rules.map((r) => reportingDescriptor(r, metaById.get(r.id), lang)),
          },
        },
        invocations: [
          {
            executionSuccessful:
              report.errors.length === 0 && report.coverage?.partial !== true && !inspectedNothing(report),
            endTimeUtc: report.metadata.generatedAt,
            // An error's source is a file or an object description, not always a path: keep it in the text.
            toolExecutionNotifications: [
              ...report.errors.map((e) => ({
                level: 'error',
                message: { text: `${e.source}${e.line ? `:${e.line}` : ''}: ${e.message}` },
              })),
              // Zero results from zero workloads is not a clean bill of health: say so where CI looks.
              ...(inspectedNothing(report)
                ? [{ level: 'warning', message: { text: 'no workload inspected: no verdict' } }]
                : []),
            ],
          },
        ],
        language: lang === 'en' ? 'en-US' : lang,
        columnKind: 'unicodeCodePoints',
        results,
        properties: {
          score: report.summary.score,
          ...(report.summary.scoreWithheld ? { scoreWithheld: report.summary.scoreWithheld } : {}),
          ...(report.coverage ? { coverage: report.coverage } : {}),
          workloads: report.summary.workloads,
          pssVersion: report.metadata.pssVersion,
          source: report.metadata.source,
          ...(report.metadata.cluster ? { cluster: report.metadata.cluster } : {}),
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
