/**
 * Takes docs/report-screenshot.png: the English HTML report of a scan of examples/, in headless
 * Chromium (Debian's `chromium` package). Run: node scripts/report-screenshot.ts [out.png] [--lang zh-CN]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { projectRoot } from '../src/version.ts';

const root = projectRoot();
const args = process.argv.slice(2);
const langIndex = args.indexOf('--lang');
const lang = langIndex === -1 ? 'en' : (args[langIndex + 1] ?? 'en');
const out =
  args.find((a, i) => !a.startsWith('--') && (langIndex === -1 || i !== langIndex + 1)) ??
  join(root, 'docs', 'report-screenshot.png');
const fullPage = args.includes('--full');

const dir = mkdtempSync(join(tmpdir(), 'kp-shot-'));
const scan = spawnSync(
  process.execPath,
  [join(root, 'src/cli/main.ts'), 'scan', 'examples/', '--lang', lang, '--out-dir', dir, '-o', 'json'],
  { cwd: root, encoding: 'utf8' },
);
if (scan.status !== 0 && scan.status !== 1) throw new Error(`scan failed (${scan.status}): ${scan.stderr}`);
const html = join(dir, 'report.html');
writeFileSync(join(dir, 'ok'), readFileSync(html).length.toString());

const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1500 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(html).href);
  await page.screenshot({ path: out, fullPage });
  process.stdout.write(`${out}\n`);
} finally {
  await browser.close();
}
