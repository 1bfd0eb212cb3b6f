// The release workflow checked by actionlint (built from github.com/rhysd/actionlint), with shellcheck
// on its run: scripts when the Debian package is installed (.ci/run installs it).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../harness/controlplane.ts';
import { buildTool, run, TOOL_BUILD_TIMEOUT_MS } from './support/tools.ts';

const WORKFLOW = join(repoRoot, '.github', 'workflows', 'release.yaml');
let actionlint: string;

beforeAll(() => {
  actionlint = buildTool('actionlint');
}, TOOL_BUILD_TIMEOUT_MS);

describe('.github/workflows/release.yaml', () => {
  it('passes actionlint', () => {
    const result = run(actionlint, ['-no-color', WORKFLOW]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('is checked for real: actionlint rejects a broken copy (the control for the test above)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-actionlint-'));
    try {
      cpSync(join(repoRoot, '.github'), join(dir, '.github'), { recursive: true });
      const broken = join(dir, '.github', 'workflows', 'release.yaml');
      writeFileSync(broken, readFileSync(broken, 'utf8').replace('needs: image', 'needs: imgae'));
      const result = run(actionlint, ['-no-color', broken]);
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(/imgae/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('releases on version tags: tests first, a multi-arch image with provenance, then the chart', () => {
    const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as {
      on: { push: { tags: string[] } };
      jobs: Record<
        string,
        { needs?: string; steps: { uses?: string; with?: Record<string, unknown>; run?: string }[] }
      >;
    };
    expect(workflow.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+*']);
    expect(workflow.jobs['image']!.needs).toBe('test');
    expect(workflow.jobs['chart']!.needs).toBe('image');
    const build = workflow.jobs['image']!.steps.find((s) => s.uses?.startsWith('docker/build-push-action'))!;
    expect(build.with).toMatchObject({
      platforms: 'linux/amd64,linux/arm64',
      push: true,
      provenance: 'mode=max',
    });
    expect(workflow.jobs['test']!.steps.some((s) => s.run?.includes('.ci/run'))).toBe(true);
    expect(workflow.jobs['chart']!.steps.some((s) => s.run?.includes('push dist/kube-patrol-'))).toBe(true);
  });
});
