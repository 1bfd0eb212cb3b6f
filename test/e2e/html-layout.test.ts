/**
 * The HTML report at phone width and with filters in its URL, in headless Chromium: no horizontal page
 * overflow, no word split mid-word in a table cell, and a filtered view that survives a reload or a shared link.
 */
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SKIP_BROWSER_TESTS } from '../support/chromium.ts';
import { scanToHtml } from '../support/cli.ts';

/** Page overflow, and words of 4+ letters in table cells (outside code) laid out on more than one line. */
function layout(page: Page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const broken: string[] = [];
    for (const td of Array.from(document.querySelectorAll('td'))) {
      const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement?.closest('code, ins')) continue;
        for (const match of (node.textContent ?? '').matchAll(/[A-Za-z]{4,}/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          if (Array.from(range.getClientRects()).filter((r) => r.width > 0).length > 1) broken.push(match[0]);
        }
      }
    }
    return { overflow: doc.scrollWidth - doc.clientWidth, broken };
  });
}

describe.skipIf(SKIP_BROWSER_TESTS)('HTML report layout and shareable filters', () => {
  let browser: Browser;
  let report: string;

  beforeAll(async () => {
    browser = await launchChromium();
    report = scanToHtml(['examples/']);
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const width of [360, 390, 768, 1360]) {
    it(`at ${width}px: nothing wider than the screen, no word broken inside a cell`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      await page.goto(pathToFileURL(report).href);
      await page.waitForSelector('#filters:not([hidden])');
      const { overflow, broken } = await layout(page);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(broken).toEqual([]);
      await context.close();
    });
  }

  it('keeps the filters in the URL: a reload or a shared link shows the same rows', async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    await page.goto(pathToFileURL(report).href);
    await page.waitForSelector('#filters:not([hidden])');
    const rows = () => page.locator('#findings tr[data-n]:visible').count();
    const all = await rows();
    await page.click('button[data-sev="low"]');
    await page.selectOption('#f-ns', ':shop');
    await page.fill('#f-q', 'container');
    await expect
      .poll(() => page.evaluate(() => location.hash))
      .toMatch(/^#f:sev=critical\.high\.medium\.info&ns=%3Ashop&q=container$/);
    const filtered = await rows();
    expect(filtered).toBeGreaterThan(0);
    expect(filtered).toBeLessThan(all);
    const url = page.url();

    const shared = await context.newPage();
    await shared.goto(url);
    await shared.waitForSelector('#filters:not([hidden])');
    expect(await shared.getAttribute('button[data-sev="low"]', 'aria-pressed')).toBe('false');
    expect(await shared.inputValue('#f-ns')).toBe(':shop');
    expect(await shared.inputValue('#f-q')).toBe('container');
    expect(await shared.locator('#findings tr[data-n]:visible').count()).toBe(filtered);

    // Reset clears the fragment; a section link keeps working.
    await shared.click('#f-reset');
    await expect.poll(() => shared.evaluate(() => location.hash)).toBe('');
    expect(await shared.locator('#findings tr[data-n]:visible').count()).toBe(all);
    await context.close();
  });
});
