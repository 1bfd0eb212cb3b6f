import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_RULE_META, goldenReport } from '../../../test/support/golden-report.ts';
import { HOSTILE } from '../../../test/support/hostile.ts';
import { assertValidReport } from '../../../test/support/report-schema.ts';
import type { InspectionReport, ReportFinding } from '../model.ts';
import { UI_STRINGS } from '../i18n/ui.ts';
import { codeSegments } from './html-view.ts';
import { renderHtml, renderHtmlChunks, templatesDir } from './html.ts';

/** The golden report, scanned once for every test of this file. */
const GOLDEN = await goldenReport();

const rules = FIXTURE_RULE_META;

function inlineBlocks(html: string, tag: 'style' | 'script'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] as string);
}

function cspOf(html: string): string {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  if (!match) throw new Error('no CSP meta tag');
  return (match[1] as string).replaceAll('&#x27;', "'").replaceAll('&#x3D;', '=');
}

function hostileReport(): InspectionReport {
  const base = GOLDEN;
  const poison = (f: ReportFinding, i: number): ReportFinding => ({
    ...f,
    workload: { kind: f.workload.kind, namespace: HOSTILE.svg, name: `${HOSTILE.script}-${i}` },
    container: HOSTILE.template,
    message: `Container "${HOSTILE.template}" runs image ${HOSTILE.img} ${HOSTILE.attribute}`,
    path: `metadata.annotations["${HOSTILE.script}"]`,
    source: { file: `${HOSTILE.svg}.yaml`, line: 3 },
    ...(f.exempted ? { exempted: { by: f.exempted.by, reason: HOSTILE.script + HOSTILE.template } } : {}),
  });
  return {
    ...base,
    metadata: { ...base.metadata, cluster: HOSTILE.svg },
    workloads: base.workloads.map((w) => ({ ...w, namespace: HOSTILE.svg, name: HOSTILE.attribute })),
    findings: base.findings.map(poison),
    errors: [{ source: HOSTILE.script, message: HOSTILE.svg }],
  };
}

describe('renderHtml', () => {
  const report = GOLDEN;
  const html = renderHtml(report, { rules });

  it('renders a valid report into one self-contained document', async () => {
    assertValidReport(report);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<link[^>]+stylesheet/i);
    expect(html).not.toMatch(/\ssrc=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    // The only absolute URLs are reference links, which the reader follows; nothing is fetched.
    const urls = [...html.matchAll(/https?:\/\/[^"'<\s]+/g)].map((m) => m[0]);
    for (const url of urls) expect(html).toContain(`href="${url}"`);
  });

  it('pins the inline CSS and JS with sha256 hashes in a restrictive CSP', async () => {
    const csp = cspOf(html);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const [css] = inlineBlocks(html, 'style');
    const [js] = inlineBlocks(html, 'script');
    const hash = (text: string) =>
      `'sha256-${createHash('sha256')
        .update(text as string)
        .digest('base64')}'`;
    expect(csp).toContain(`style-src ${hash(css as string)}`);
    expect(csp).toContain(`script-src ${hash(js as string)}`);
    expect(inlineBlocks(html, 'style')).toHaveLength(1);
    expect(inlineBlocks(html, 'script')).toHaveLength(1);
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it('shows the score, the counts by severity, the scan time, source and PSS version', async () => {
    expect(html).toContain(`>${report.summary.score}</text>`);
    expect(html).toContain('<svg class="chart"');
    for (const sev of ['critical', 'high', 'medium', 'low', 'info'] as const) {
      expect(html).toMatch(
        new RegExp(`class="bar ${sev}"/><text[^>]*class="cnt">${report.summary.bySeverity[sev]}</text>`),
      );
    }
    expect(html).toContain('2026-03-01 08:30 UTC');
    expect(html).toContain('manifest files');
    expect(html).toContain('v1.33');
    expect(html).toContain('42 ms');
  });

  it('lists every unexempted finding in its rule group with path, missing field and file:line', async () => {
    for (const f of report.findings.filter((x) => !x.exempted)) {
      const group = html.slice(
        html.indexOf(`id="rule-${f.ruleId}"`),
        html.indexOf('</article>', html.indexOf(`id="rule-${f.ruleId}"`)),
      );
      const rows = group
        .split('<tr data-n=')
        .filter(
          (row) =>
            row.includes(`<b>${f.workload.name}</b>`) &&
            row.includes(`<code>${f.path.replaceAll('"', '&quot;')}</code>`),
        );
      expect(rows.length, `${f.ruleId} ${f.workload.name} ${f.path}`).toBeGreaterThan(0);
      if (f.missing) expect(rows.join('')).toContain(`>${f.missing}</ins>`);
      expect(rows.join('')).toContain(`<small>${f.source?.file}:${f.source?.line}</small>`);
    }
  });

  it('renders each rule documentation once, however many findings it has', async () => {
    const { diff: _diff, ...noDiff } = report;
    const many: InspectionReport = {
      ...noDiff,
      findings: Array.from({ length: 200 }, (_, i) => ({
        ...(report.findings[1] as ReportFinding),
        id: i.toString(16).padStart(16, '0'),
      })),
    };
    const out = renderHtml(many, { rules });
    const why = rules.find((r) => r.id === 'privileged')?.docs.why.en as string;
    expect(out.split(why.replaceAll("'", '&#x27;')).length - 1).toBe(1);
    expect(out.split('id="rule-privileged"').length - 1).toBe(1);
    expect(out.split('<tr data-n=').length - 1).toBe(200);
  });

  it('puts exempted findings in their own section with the reason and who exempted them', async () => {
    const exempted = html.slice(
      html.indexOf('<section id="exempted">'),
      html.indexOf('<section id="rules">'),
    );
    expect(exempted).toContain('reads /var/log of the node; tracked in OPS-42');
    expect(exempted).toContain('writes its report to /tmp until v2');
    expect(exempted).toContain('annotation');
    expect(exempted).toContain('expires 2026-12-31');
    const findings = html.slice(
      html.indexOf('<section id="findings">'),
      html.indexOf('<section id="exempted">'),
    );
    expect(findings).not.toContain('OPS-42');
    // An expired exemption shows on the finding it no longer covers.
    expect(findings).toContain('Exemption expired on 2026-02-01: debug pod, removed after the incident');
  });

  it('shows new and resolved findings when the report has a diff, and errors', async () => {
    const changes = html.slice(
      html.indexOf('<section id="changes">'),
      html.indexOf('</section>', html.indexOf('<section id="changes">')),
    );
    expect(changes).toContain('New since last scan (3)');
    expect(changes).toContain('Resolved since last scan (1)');
    expect(changes).toContain('<b>debug</b>');
    expect(changes).toContain('tools');
    expect(html).toContain('<section id="errors"');
    expect(html).toContain('test/fixtures/golden/input/unreadable.yaml');
    const { diff: _diff, ...withoutDiff } = report;
    expect(renderHtml(withoutDiff, { rules })).not.toContain('<section id="changes">');
  });

  it('orders the fix-first list by worst severity, then by spread', async () => {
    const fixFirst = html.slice(html.indexOf('class="card fixfirst"'), html.indexOf('</section>'));
    const order = [...fixFirst.matchAll(/href="#rule-([a-z0-9-]+)"/g)].map((m) => m[1]);
    expect(order).toEqual([
      'privileged',
      'fixture-host-network',
      'fixture-read-only-root-fs',
      'fixture-mutable-image',
    ]);
  });

  it('keeps filters hidden until the script shows them, so the page reads the same without JavaScript', async () => {
    expect(html).toMatch(/<form id="filters"[^>]* hidden/);
    expect(html).toContain('<option value=":shop">shop</option>');
    expect(html).toContain('<tr data-n=":shop"');
  });

  it('is in Chinese for zh-CN reports', async () => {
    const zh = renderHtml(await goldenReport('zh-CN'), { rules });
    expect(zh).toContain('<html lang="zh-CN">');
    for (const text of [
      'Kubernetes 安全巡检报告',
      '总体评分',
      '优先修复',
      '按命名空间',
      '已豁免的问题',
      '相比上次新增',
      '为什么重要',
      '如何修复',
      '严重',
      '清单文件',
      '基线级（Baseline）',
    ]) {
      expect(zh).toContain(text);
    }
    expect(zh).toContain(rules.find((r) => r.id === 'privileged')?.docs.why['zh-CN']);
    for (const english of [
      'Overall score',
      'Fix first',
      'Why it matters',
      'Exempted findings',
      'manifest files',
    ])
      expect(zh).not.toContain(english);
  });

  it('escapes hostile names, namespaces, images, reasons and files everywhere', async () => {
    const out = renderHtml(hostileReport(), { rules });
    const body = out.slice(out.indexOf('<body>'));
    expect(body).not.toContain('<script>window');
    expect(body).not.toContain('<svg onload');
    expect(body).not.toContain('<img src');
    expect(body).not.toMatch(/\son[a-z]+=/i);
    expect(body).toContain('&lt;script&gt;window.__pwned&#x3D;1&lt;/script&gt;');
    expect(body).toContain('&quot;&gt;&lt;svg onload&#x3D;window.__pwned&#x3D;1&gt;');
    expect(body).toContain('{{constructor.constructor(&#x27;window.__pwned&#x3D;1&#x27;)()}}');
    // In attributes (filter keys) the quote is escaped too, so no attribute can be closed early.
    expect(body).toContain('data-n=":&quot;&gt;&lt;svg onload&#x3D;window.__pwned&#x3D;1&gt;"');
    expect(body.match(/<script>/g)).toHaveLength(1);
  });

  it('never triple-stashes anything but the CSS and JS files', async () => {
    const dir = templatesDir();
    const files = ['report.hbs', ...readdirSync(join(dir, 'partials')).map((f) => join('partials', f))];
    const stashes = files.flatMap((f) =>
      [...readFileSync(join(dir, f), 'utf8').matchAll(/\{\{\{\s*([^}\s]+)\s*\}\}\}/g)].map((m) => m[1]),
    );
    expect(stashes.sort()).toEqual(['css', 'js']);
  });

  it('is deterministic', async () => {
    expect(renderHtml(report, { rules })).toBe(html);
  });

  it('renders a report without findings or rule metadata', async () => {
    const empty: InspectionReport = {
      ...report,
      findings: [],
      errors: [],
      workloads: [],
      summary: {
        ...report.summary,
        score: 100,
        findings: 0,
        exempted: 0,
        workloads: 0,
        bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      },
    };
    const { diff: _d, ...noDiff } = empty;
    const out = renderHtml(noDiff, { rules: [] });
    expect(out).toContain('No unexempted findings: nothing to fix.');
    expect(renderHtml(report, { rules: [] })).toContain(
      '<article class="rule critical" id="rule-privileged"',
    );
  });
});

describe('codeSegments', () => {
  it('splits backtick code spans and keeps an unmatched backtick literal', async () => {
    expect(codeSegments('Set `a: 1` now')).toEqual([
      { c: false, t: 'Set ' },
      { c: true, t: 'a: 1' },
      { c: false, t: ' now' },
    ]);
    expect(codeSegments('no code')).toEqual([{ c: false, t: 'no code' }]);
    expect(codeSegments('odd ` tick')).toEqual([{ c: false, t: 'odd ` tick' }]);
  });
});

describe('UI strings', () => {
  it('has every string in both languages, the Chinese ones translated', async () => {
    const same = Object.entries(UI_STRINGS)
      .filter(([, t]) => t.en === t['zh-CN'])
      .map(([k]) => k);
    expect(same).toEqual(['category_kube_patrol']);
    for (const [key, text] of Object.entries(UI_STRINGS)) {
      expect(text.en.trim(), key).not.toBe('');
      expect(text['zh-CN'].trim(), key).not.toBe('');
      const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      expect(placeholders(text['zh-CN']), key).toEqual(placeholders(text.en));
    }
  });
});

describe('renderHtmlChunks', () => {
  it('gives the same text as renderHtml, rule groups rendered in slices of rows', async () => {
    const golden = GOLDEN;
    // Many findings per rule (more than a slice), hostile strings included.
    const many: InspectionReport = {
      ...golden,
      findings: Array.from({ length: 12 }, () => [...golden.findings, ...hostileReport().findings]).flat(),
    };
    for (const report of [golden, hostileReport(), many, { ...golden, findings: [] }]) {
      const pieces = [...renderHtmlChunks(report, { rules }, 3)];
      expect(pieces.join('')).toBe(renderHtml(report, { rules }));
      if (report === many) expect(pieces.length).toBeGreaterThan(10);
    }
  });
});

describe('the Access view (RBAC powers)', () => {
  const base = GOLDEN.findings[0] as ReportFinding;
  const power = (kind: string, name: string, evidence: string[]): ReportFinding => ({
    ...base,
    id: `${kind}-${name}`.padEnd(20, '0').slice(0, 20),
    ruleId: 'rbac-secrets-read',
    severity: 'high',
    category: 'hardening',
    pss: null,
    workload: { kind, namespace: 'shop', name },
    container: null,
    path: 'spec.template.spec.serviceAccountName',
    message: `${kind} shop/${name} can read every Secret in namespace shop`,
    evidence,
    exempted: undefined,
    exemptionExpired: undefined,
  });

  it('lists each workload and binding with its powers and the chain that grants them', () => {
    const report: InspectionReport = {
      ...GOLDEN,
      findings: [
        ...GOLDEN.findings,
        power('Deployment', 'web', [
          'RoleBinding shop/readers → Role shop/secret-reader',
          `rule: get ${HOSTILE.script}`,
        ]),
        power('RoleBinding', 'readers', ['Role shop/secret-reader: get, list secrets']),
      ],
    };
    const html = renderHtml(report, { rules });
    const section = html.slice(
      html.indexOf('<section id="access">'),
      html.indexOf('</section>', html.indexOf('<section id="access">')),
    );
    expect(section).toContain(UI_STRINGS.accessWorkloads.en);
    expect(section).toContain(UI_STRINGS.accessBindings.en);
    expect(section).toContain('Deployment shop/web');
    expect(section).toContain('RoleBinding shop/readers → Role shop/secret-reader');
    expect(section).toContain('Role shop/secret-reader: get, list secrets');
    // Evidence from the cluster is text, never markup.
    expect(section).not.toContain(HOSTILE.script);
  });

  it('is absent when no RBAC power was found', () => {
    expect(renderHtml(GOLDEN, { rules })).not.toContain('id="access"');
  });
});

describe('fix commands', () => {
  it('shows one kubectl patch per workload with a fix, labelled in the report language; none for a Pod', async () => {
    const section = (html: string) => /<section id="fixes">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    const en = section(renderHtml(GOLDEN, { rules }));
    expect(en).toContain('<h2>Fix commands</h2>');
    // The golden report's one unexempted fix is on a bare Pod, which takes these fields only at creation.
    expect(en).toContain('<h3>Pod shop/debug</h3>');
    expect(en).toContain(UI_STRINGS.fixesPod.en);
    expect(en).not.toContain('<pre class="cmd"');
    // The same findings on Deployments: a command each.
    const asDeployments: InspectionReport = {
      ...GOLDEN,
      findings: GOLDEN.findings.map((f) => {
        const { exempted: _exempted, ...rest } = f;
        return { ...rest, workload: { ...f.workload, kind: 'Deployment' } };
      }),
    };
    const deployments = section(renderHtml(asDeployments, { rules }));
    const fixed = new Set(asDeployments.findings.filter((f) => f.fix).map((f) => JSON.stringify(f.workload)));
    expect(fixed.size).toBeGreaterThan(1);
    expect(deployments.match(/<pre class="cmd"/g)?.length).toBe(fixed.size);
    expect(deployments).toMatch(
      /<code>kubectl patch deployments\.apps \S+ -n \S+ --type&#x3D;strategic -p &#x27;\{&quot;spec&quot;:/,
    );
    const zh = section(renderHtml(await goldenReport('zh-CN'), { rules }));
    expect(zh).toContain('<h2>修复命令</h2>');
    expect(zh).toContain('包含 review 修复（可能导致应用异常）');
  });

  it('lists at most 200 workloads and says how many more the JSON carries', () => {
    const fixable = GOLDEN.findings.find((f) => f.fix) as ReportFinding;
    const many: InspectionReport = {
      ...GOLDEN,
      findings: Array.from({ length: 250 }, (_, i) => ({
        ...fixable,
        exempted: undefined,
        id: `f${i}`,
        workload: { kind: 'Deployment', namespace: 'shop', name: `app-${i}` },
      })).map(({ exempted: _e, ...f }) => f),
    };
    const html = renderHtml(many, { rules });
    expect(html.match(/<div class="fixcmd">/g)?.length).toBe(200);
    expect(html).toContain('50 more workloads have fixes: report.json carries the patch of every finding');
  });
});
