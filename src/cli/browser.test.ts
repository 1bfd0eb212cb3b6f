import { describe, expect, it } from 'vitest';
import { headlessReason, openInBrowser } from './browser.ts';

describe('report open: the browser', () => {
  it('knows a Linux machine without a display has no browser to open', () => {
    expect(headlessReason('linux', {})).toMatch(/no display/);
    expect(headlessReason('linux', { DISPLAY: ':0' })).toBeUndefined();
    expect(headlessReason('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBeUndefined();
    expect(headlessReason('darwin', {})).toBeUndefined();
  });

  it('reports a headless machine, a missing opener and a failing one; accepts a succeeding or lingering one', async () => {
    expect(await openInBrowser('/tmp/x.html', { platform: 'linux', env: {} })).toMatch(/no display/);
    expect(await openInBrowser('/tmp/x.html', { opener: 'kube-patrol-no-such-opener' })).toMatch(
      /could not start kube-patrol-no-such-opener/,
    );
    expect(await openInBrowser('/tmp/x.html', { opener: 'false', platform: 'linux' })).toBe(
      'false failed (exit 1)',
    );
    expect(await openInBrowser('/tmp/x.html', { opener: 'true', platform: 'linux' })).toBeUndefined();
    // `sleep /tmp/x.html` fails at once; a real lingering opener is a shell that waits.
    expect(await openInBrowser('10', { opener: 'sleep', platform: 'linux', settleMs: 200 })).toBeUndefined();
  });
});
