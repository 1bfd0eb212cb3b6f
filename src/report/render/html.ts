import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, extname, join } from 'node:path';
import type Handlebars from 'handlebars';
import type { RuleMeta } from '../../engine/rule.ts';
import { projectRoot } from '../../version.ts';
import type { InspectionReport } from '../model.ts';
import { buildView, type GroupRows, type HtmlView, type RowView, type RuleGroupView } from './html-view.ts';

export interface HtmlOptions {
  /** Rule metadata: why, fix, snippet and references of each rule, in every language. */
  readonly rules: readonly RuleMeta[];
}

/**
 * The HTML report: one self-contained file (CSS, JS and SVG inlined, no network), readable with
 * JavaScript off. Untrusted strings only ever reach the page through Handlebars' escaping `{{ }}`;
 * the only triple-stashes are the CSS and JS files of templates/, guarded by a CSP hash.
 */
export function renderHtml(report: InspectionReport, options: HtmlOptions): string {
  const assets = loadAssets();
  return assets.template(buildView(report, options.rules, assets).view);
}

/**
 * The same text as renderHtml, in pieces: the page is the sequence of the partials report.hbs is made of
 * (page-start, then per rule group group-start, its rows, group-end, then page-end), and each group's
 * rows are rendered in slices of `rowsPerChunk`. A report of tens of thousands of findings is never held
 * as one string (nor as the rope of pieces the template engine builds it from), nor are all its row
 * views alive at once.
 */
export function* renderHtmlChunks(
  report: InspectionReport,
  options: HtmlOptions,
  rowsPerChunk = 500,
): Generator<string> {
  const assets = loadAssets();
  const { view, groupRows } = buildView(report, options.rules, assets, true);
  const { pieces } = assets;
  // Partials inside a group read `@root.t`: the page's view stays the root while one group renders.
  const asPage = { data: { root: view } };
  yield pieces.pageStart(view);
  if (view.groups.length === 0) yield pieces.allClear(view);
  for (let i = 0; i < view.groups.length; i++) {
    const group = view.groups[i] as RuleGroupView;
    yield pieces.groupStart(group, asPage);
    const { count, rows } = groupRows[i] as GroupRows;
    for (let from = 0; from < count; from += rowsPerChunk)
      yield pieces.rows({ rows: rows(from, Math.min(count, from + rowsPerChunk)) }, asPage);
    yield pieces.groupEnd(group, asPage);
  }
  yield pieces.pageEnd(view);
}

// ---------------------------------------------------------------------------------------------
// Templates and assets: compiled once per process.

interface Assets {
  readonly template: Handlebars.TemplateDelegate<HtmlView>;
  /** The partials report.hbs is made of, one template each, for renderHtmlChunks. */
  readonly pieces: {
    readonly pageStart: Handlebars.TemplateDelegate<HtmlView>;
    readonly allClear: Handlebars.TemplateDelegate<HtmlView>;
    readonly groupStart: Handlebars.TemplateDelegate<RuleGroupView>;
    readonly rows: Handlebars.TemplateDelegate<{ rows: readonly RowView[] }>;
    readonly groupEnd: Handlebars.TemplateDelegate<RuleGroupView>;
    readonly pageEnd: Handlebars.TemplateDelegate<HtmlView>;
  };
  readonly css: string;
  readonly js: string;
  readonly csp: string;
}

let cachedAssets: Assets | undefined;

/** Directory of the handlebars templates, the CSS and the JS of the HTML report. */
export function templatesDir(): string {
  return join(projectRoot(), 'templates');
}

// Handlebars is loaded on the first HTML rendering, not with this module: a table or JSON scan imports
// the renderers but never needs it (about 50 ms of the CLI's start). It is CommonJS, so a synchronous
// require keeps renderHtml synchronous.
const loadModule = createRequire(import.meta.url);

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function loadAssets(): Assets {
  if (cachedAssets) return cachedAssets;
  const dir = templatesDir();
  const hbs = (loadModule('handlebars') as typeof Handlebars).create();
  const partialsDir = join(dir, 'partials');
  for (const file of readdirSync(partialsDir).sort()) {
    if (extname(file) !== '.hbs') continue;
    hbs.registerPartial(basename(file, '.hbs'), readFileSync(join(partialsDir, file), 'utf8'));
  }
  // Whitespace between tags is meaningless here; dropping line indentation keeps 10,000-row reports small.
  const css = readFileSync(join(dir, 'report.css'), 'utf8').trim();
  const js = readFileSync(join(dir, 'report.js'), 'utf8').trim();
  if (/<\/style/i.test(css) || /<\/script/i.test(js))
    throw new Error('templates: report.css/report.js must not close their own element');
  const csp = [
    "default-src 'none'",
    `style-src ${sha256(css)}`,
    `script-src ${sha256(js)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const compile = <T>(text: string) => hbs.compile<T>(text, { strict: true, preventIndent: true });
  const template = compile<HtmlView>(readFileSync(join(dir, 'report.hbs'), 'utf8'));
  const pieces = {
    pageStart: compile<HtmlView>('{{> page-start}}'),
    allClear: compile<HtmlView>('{{> all-clear}}'),
    groupStart: compile<RuleGroupView>('{{> group-start}}'),
    rows: compile<{ rows: readonly RowView[] }>('{{#each rows}}{{> finding-row}}{{/each}}'),
    groupEnd: compile<RuleGroupView>('{{> group-end}}'),
    pageEnd: compile<HtmlView>('{{> page-end}}'),
  };
  cachedAssets = { template, pieces, css, js, csp };
  return cachedAssets;
}
