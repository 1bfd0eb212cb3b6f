/**
 * hack/testbin/build.sh as a first run sees it, with a stand-in for `go` that takes a few seconds per
 * binary: a progress line at least every KUBE_PATROL_TICK seconds naming what is being built, Go's caches
 * inside kube-patrol's cache directory, and no stray process holding stderr open once it is done.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/version.ts';

const root = projectRoot();

describe('hack/testbin/build.sh', () => {
  it('prints what it builds and for how long while the Go build is silent, and keeps Go caches in its own cache', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-testbin-'));
    const fakeGo = join(dir, 'go');
    writeFileSync(
      fakeGo,
      `#!/usr/bin/env bash
out=""
while [ $# -gt 0 ]; do case "$1" in -o) out=$2; shift ;; esac; shift; done
echo "$GOCACHE $GOMODCACHE $GOFLAGS" >>"${dir}/go-env"
sleep 3
printf '#!/bin/sh\\n' >"$out"; chmod +x "$out"
`,
    );
    chmodSync(fakeGo, 0o755);
    const started = Date.now();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GO: fakeGo,
      KUBE_PATROL_CACHE: join(dir, 'cache'),
      KUBE_PATROL_TICK: '1',
    };
    delete env['GOCACHE'];
    delete env['GOMODCACHE'];
    delete env['KUBEBUILDER_ASSETS'];
    const result = spawnSync('bash', [join(root, 'hack/testbin/build.sh')], { env, encoding: 'utf8' });
    const elapsed = Date.now() - started;
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').pop()).toBe(join(dir, 'cache', 'testbin', 'v1.37.2'));
    const ticks = result.stderr.split('\n').filter((l) => l.startsWith('testbin: still building'));
    expect(
      ticks.some((l) => /^testbin: still building kube-apiserver v1\.37\.2: 0m\ds elapsed$/.test(l)),
    ).toBe(true);
    expect(ticks.some((l) => /^testbin: still building etcd v3\.\d+\.\d+: 0m\ds elapsed$/.test(l))).toBe(
      true,
    );
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(result.stderr).toMatch(/first build .* 7-18 min on 2 cores \(measured\)/);
    // Go's caches: kube-patrol's own, writable modules, reported at the end.
    for (const line of readFileSync(join(dir, 'go-env'), 'utf8').trim().split('\n'))
      expect(line).toBe(
        `${join(dir, 'cache', 'go', 'build-cache')} ${join(dir, 'cache', 'go', 'mod')} -modcacherw`,
      );
    expect(result.stderr).toContain(
      `Go caches kept for later builds: ${join(dir, 'cache', 'go', 'build-cache')}`,
    );
    // Two 3 s builds: a tick's sleep left behind would hold stderr open and stretch this well past 6 s.
    expect(elapsed).toBeLessThan(12_000);
    // Cached: nothing is built the second time.
    const again = spawnSync('bash', [join(root, 'hack/testbin/build.sh')], { env, encoding: 'utf8' });
    expect(again.stderr).toContain('cached:');
  }, 60_000);
});
