/**
 * The fleet page: one self-contained HTML file (CSS inlined, no script, no network). Every string comes
 * from the fleet report, itself built from checked, parsed JSON, and reaches the page only through
 * Handlebars' escaping `{{ }}`; the one triple-stash is templates/fleet.css, allowed by its CSP hash.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { interpolate, type Language } from '../engine/i18n.ts';
import { SEVERITIES, type Severity } from '../engine/severity.ts';
import { projectRoot } from '../version.ts';
import { fleetStrings, type FleetUiKey } from './i18n.ts';
import type { FleetCluster, FleetReport } from './model.ts';

type Strings = Readonly<Record<FleetUiKey, string>>;

const TREND_WIDTH = 120;
const TREND_HEIGHT = 28;

function grade(score: number): 'good' | 'fair' | 'poor' {
  return score >= 90 ? 'good' : score >= 70 ? 'fair' : 'poor';
}

function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const UNITS: Record<Language, readonly [string, string, string, string]> = {
  en: [' s', ' min', ' h', ' d'],
  'zh-CN': [' 秒', ' 分钟', ' 小时', ' 天'],
};

export function formatAge(seconds: number, lang: Language): string {
  const [s, m, h, d] = UNITS[lang];
  if (seconds < 120) return `${seconds}${s}`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)}${m}`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)}${h}`;
  return `${Math.round(seconds / 86400)}${d}`;
}

/** Polyline points of the scores, oldest left; numbers only. */
export function trendPoints(scores: readonly number[]): string {
  if (scores.length === 0) return '';
  const step = scores.length === 1 ? 0 : (TREND_WIDTH - 4) / (scores.length - 1);
  return scores
    .map((score, i) => {
      const x = scores.length === 1 ? TREND_WIDTH / 2 : 2 + i * step;
      const y = 2 + ((100 - Math.min(100, Math.max(0, score))) / 100) * (TREND_HEIGHT - 4);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

function clusterView(row: FleetCluster, t: Strings, lang: Language) {
  const scan = row.scan;
  const scores = row.trend.map((p) => p.score).filter((s): s is number => s !== null);
  return {
    name: row.name,
    context: row.context,
    status: row.status,
    statusLabel: t[`status_${row.status}`],
    partial: row.partial,
    problem: row.problem,
    scan: scan
      ? {
          score: scan.score ?? '–',
          grade: scan.score === null ? 'none' : grade(scan.score),
          findings: scan.findings,
          workloads: scan.workloads,
          counts: SEVERITIES.filter((s) => s !== 'info').map((sev) => ({
            sev,
            label: t[`severity_${sev}`],
            n: scan.bySeverity[sev],
          })),
          generatedAt: formatTimestamp(scan.generatedAt),
          generatedAtIso: scan.generatedAt,
          age: interpolate(t.ago, { age: formatAge(scan.ageSeconds, lang) }),
          errors: scan.errors > 0 ? interpolate(t.scanErrors, { n: scan.errors }) : null,
        }
      : null,
    trend:
      scores.length > 0
        ? {
            width: TREND_WIDTH,
            height: TREND_HEIGHT,
            points: trendPoints(scores),
            label: interpolate(t.trendLabel, { n: scores.length, scores: scores.join(' → ') }),
            single: scores.length === 1,
            last: trendPoints(scores).split(' ').at(-1)!.split(','),
          }
        : null,
    worstRules: row.worstRules.map((r) => ({
      id: r.id,
      title: r.title,
      sev: r.severity,
      sevLabel: t[`severity_${r.severity}`],
      workloads: r.workloads,
    })),
    report: row.report,
  };
}

export type FleetView = ReturnType<typeof buildFleetView>;

export function buildFleetView(fleet: FleetReport, assets: { css: string; csp: string }) {
  const lang = fleet.metadata.lang;
  const t = fleetStrings(lang);
  const sevLabel = (sev: Severity) => t[`severity_${sev}`];
  const s = fleet.summary;
  return {
    lang,
    t,
    css: assets.css,
    csp: assets.csp,
    meta: {
      generatedAt: formatTimestamp(fleet.metadata.generatedAt),
      generatedAtIso: fleet.metadata.generatedAt,
      tool: `${fleet.metadata.tool.name} ${fleet.metadata.tool.version}`,
      staleAfter: formatAge(fleet.metadata.staleAfterSeconds, lang),
    },
    summary: {
      read: interpolate(t.clustersRead, { read: s.read, total: s.clusters }),
      unreadable: s.unreadable > 0 ? interpolate(t.unreadableCount, { n: s.unreadable }) : null,
      stale: s.stale > 0 ? interpolate(t.staleCount, { n: s.stale }) : null,
      score: s.score,
      grade: s.score === null ? 'poor' : grade(s.score),
      workloads: s.workloads,
      counts: SEVERITIES.filter((sev) => sev !== 'info').map((sev) => ({
        sev,
        label: sevLabel(sev),
        n: s.bySeverity[sev],
      })),
    },
    clusters: fleet.clusters.map((row) => clusterView(row, t, lang)),
    rules: fleet.rules.map((r) => ({
      id: r.id,
      title: r.title,
      sev: r.severity,
      sevLabel: sevLabel(r.severity),
      count: r.clusters.length,
      clusters: r.clusters.join(', '),
      workloads: r.workloads,
    })),
    workloads: fleet.workloads.map((w) => ({
      kind: w.kind,
      ns: w.namespace,
      name: w.name,
      count: w.clusters.length,
      clusters: w.clusters.join(', '),
      everywhere: w.everywhere,
      commonRules: w.commonRules.join(', '),
      sev: w.worst,
      sevLabel: sevLabel(w.worst),
    })),
  };
}

interface Assets {
  readonly template: Handlebars.TemplateDelegate<FleetView>;
  readonly css: string;
  readonly csp: string;
}

let cached: Assets | undefined;

function loadAssets(): Assets {
  if (cached) return cached;
  const dir = join(projectRoot(), 'templates');
  // The HTML report's look (colours, type, tables), then the fleet page's own rules.
  const css = ['report.css', 'fleet.css'].map((f) => readFileSync(join(dir, f), 'utf8').trim()).join('\n');
  if (/<\/style/i.test(css)) throw new Error('templates/report.css, fleet.css must not close their element');
  const hash = `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
  const csp = [
    "default-src 'none'",
    `style-src ${hash}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const hbs = Handlebars.create();
  const template = hbs.compile<FleetView>(readFileSync(join(dir, 'fleet.hbs'), 'utf8'), {
    strict: true,
    preventIndent: true,
  });
  cached = { template, css, csp };
  return cached;
}

export function renderFleetHtml(fleet: FleetReport): string {
  const assets = loadAssets();
  return assets.template(buildFleetView(fleet, assets));
}

export function renderFleetJson(fleet: FleetReport): string {
  return `${JSON.stringify(fleet, null, 2)}\n`;
}
