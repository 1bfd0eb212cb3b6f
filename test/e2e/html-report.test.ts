/**
 * The HTML report as a reader sees it, in headless Chromium: scans run through the real CLI, the page is
 * opened from the file it wrote.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SKIP_BROWSER_TESTS } from '../support/chromium.ts';
import { scanToHtml } from '../support/cli.ts';
import { HOSTILE, hostileManifest } from '../support/hostile.ts';

const scan = scanToHtml;

interface Opened {
  readonly page: Page;
  readonly problems: string[];
  readonly requests: string[];
}

async function open(browser: Browser, file: string, javaScriptEnabled = true): Promise<Opened> {
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  // Injected through the DevTools protocol, so the page's CSP does not apply to it.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __csp: string[] }).__csp ??= [];
      (window as unknown as { __csp: string[] }).__csp.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await page.goto(pathToFileURL(file).href);
  return { page, problems, requests };
}

const visibleRows = (page: Page) => page.locator('#findings tr[data-n]:visible').count();

describe.skipIf(SKIP_BROWSER_TESTS)('HTML report in Chromium', () => {
  let browser: Browser;
  let english: string;
  let chinese: string;
  let hostile: string;

  beforeAll(async () => {
    browser = await launchChromium();
    english = scan(['examples/']);
    chinese = scan(['examples/', '--lang', 'zh-CN']);
    const dir = mkdtempSync(join(tmpdir(), 'kp-hostile-'));
    // The file name is hostile too (it is shown next to every finding).
    writeFileSync(join(dir, `${HOSTILE.svg}.yaml`), hostileManifest());
    const config = join(mkdtempSync(join(tmpdir(), 'kp-hostile-config-')), 'config.yaml');
    writeFileSync(
      config,
      `exemptions:\n  - rules: [host-network]\n    reason: ${JSON.stringify(HOSTILE.svg + HOSTILE.script)}\n`,
    );
    hostile = scan([dir, '--config', config]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads without console errors, CSP violations or network requests; the inline CSS and JS run', async () => {
    const { page, problems, requests } = await open(browser, english);
    await page.waitForSelector('#filters:not([hidden])');
    expect(problems).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])).toEqual([]);
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    expect(requests).toHaveLength(1);
    // The stylesheet applied (its hash matched the CSP): the header has its dark background.
    expect(await page.locator('header.top').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(31, 41, 55)',
    );
    await expect.poll(() => page.locator('#f-count').textContent()).toMatch(/^Showing \d+ of \d+ findings$/);
    await page.context().close();
  });

  it('copies a fix command with its Copy button', async () => {
    const { page, problems } = await open(browser, english);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const commands = page.locator('#fixes pre.cmd');
    expect(await commands.count()).toBeGreaterThan(0);
    expect(await page.locator('#fixes button.copy').count()).toBe(await commands.count());
    const deployment = page.locator('#fixes .fixcmd', { hasText: 'Deployment shop/web' });
    await deployment.locator('button.copy').first().click();
    await expect.poll(() => deployment.locator('button.copy').first().textContent()).toBe('Copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^kubectl patch deployments\.apps web -n shop --type=strategic -p '\{"spec":/);
    expect(copied).toBe(await deployment.locator('pre.cmd code').first().textContent());
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('filters rows by severity, namespace, rule and free text', async () => {
    const { page } = await open(browser, english);
    const all = await visibleRows(page);
    expect(all).toBeGreaterThan(10);
    const low = await page
      .locator('#findings tr[data-n]')
      .evaluateAll(
        (rows) => rows.filter((r) => r.closest('[data-s]')?.getAttribute('data-s') === 'low').length,
      );
    expect(low).toBeGreaterThan(0);

    await page.click('button.chip[data-sev="low"]');
    expect(await page.getAttribute('button.chip[data-sev="low"]', 'aria-pressed')).toBe('false');
    expect(await visibleRows(page)).toBe(all - low);
    await expect
      .poll(() => page.locator('#f-count').textContent())
      .toBe(`Showing ${all - low} of ${all} findings`);
    await page.click('button.chip[data-sev="low"]');
    expect(await visibleRows(page)).toBe(all);

    await page.selectOption('#f-ns', ':monitoring');
    const inMonitoring = await page
      .locator('#findings tr[data-n]:visible')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-n')));
    expect(inMonitoring.length).toBeGreaterThan(0);
    expect(new Set(inMonitoring)).toEqual(new Set([':monitoring']));
    // Rule groups without a visible row disappear.
    expect(await page.locator('#rule-privileged').isVisible()).toBe(false);

    await page.selectOption('#f-ns', '*');
    await page.selectOption('#f-rule', 'privileged');
    expect(await visibleRows(page)).toBe(await page.locator('#rule-privileged tr[data-n]').count());

    await page.selectOption('#f-rule', '*');
    await page.fill('#f-q', 'log-shipper');
    await expect.poll(() => visibleRows(page)).toBeLessThan(all);
    const texts = await page.locator('#findings tr[data-n]:visible').allTextContents();
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) expect(text.toLowerCase()).toContain('log-shipper');

    await page.click('#f-reset');
    await expect.poll(() => visibleRows(page)).toBe(all);
    await page.context().close();
  });

  it('shows everything without JavaScript', async () => {
    const withJs = await open(browser, english);
    const all = await withJs.page.locator('#findings tr[data-n]').count();
    await withJs.page.context().close();
    const { page } = await open(browser, english, false);
    expect(await page.locator('#filters').isVisible()).toBe(false);
    expect(await visibleRows(page)).toBe(all);
    for (const id of ['#summary', '#breakdown', '#findings', '#exempted', '#rules'])
      expect(await page.locator(id).isVisible()).toBe(true);
    expect(await page.locator('.fixfirst li').count()).toBeGreaterThan(0);
    await page.context().close();
  });

  it('is in Chinese for --lang zh-CN', async () => {
    const { page, problems } = await open(browser, chinese);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    const text = await page.locator('body').innerText();
    for (const phrase of [
      'Kubernetes 安全巡检报告',
      '总体评分',
      '优先修复',
      '按严重程度统计',
      '按命名空间',
      '问题详情',
      '为什么重要',
      '如何修复',
      '已检查的规则',
      '特权容器',
    ]) {
      expect(text).toContain(phrase);
    }
    for (const english of [
      'Overall score',
      'Fix first',
      'Why it matters',
      'How to fix',
      'Rules checked',
      'Privileged container',
    ])
      expect(text).not.toContain(english);
    await expect.poll(() => page.locator('#f-count').textContent()).toMatch(/^显示 \d+ \/ \d+ 个问题$/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows hostile names, namespaces, images, reasons and file names as text and runs none of them', async () => {
    const { page, problems } = await open(browser, hostile);
    await page.waitForSelector('#filters:not([hidden])');
    // Interact where injected handlers would fire: hover every finding cell, use the filters.
    for (const cell of await page.locator('tr[data-n] td').all())
      await cell.hover({ force: true, timeout: 2000 }).catch(() => undefined);
    await page.selectOption('#f-ns', `:${HOSTILE.svg}`);
    await page.fill('#f-q', 'pwned');
    await page.click('#f-reset');

    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
    expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(1);
    expect(
      await page.evaluate(
        () =>
          document.querySelectorAll('img, iframe, object, embed, [onload], [onerror], [onmouseover]').length,
      ),
    ).toBe(0);
    expect(await page.evaluate(() => document.querySelectorAll('main svg').length)).toBe(2); // the gauge and the chart only

    const text = await page.locator('body').innerText();
    for (const value of [
      HOSTILE.script,
      HOSTILE.svg,
      HOSTILE.template,
      HOSTILE.img,
      `${HOSTILE.svg}.yaml`,
      HOSTILE.svg + HOSTILE.script,
    ]) {
      expect(text, value).toContain(value);
    }
    expect(await page.getByText(HOSTILE.template).first().isVisible()).toBe(true);
    // Hostile text wraps inside its cell instead of widening the page.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.context().close();
  });
});
