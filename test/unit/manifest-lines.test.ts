/** #18 "location nit": a field missing inside an existing block points at the block's key. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanManifests } from '../../src/pipeline/scan-manifests.ts';
import { resolveSettings } from '../../src/pipeline/settings.ts';
import { REGISTRY } from '../support/registry.ts';

const manifest = [
  'apiVersion: v1', //  1
  'kind: Pod', //  2
  'metadata:', //  3
  '  name: lines', //  4
  'spec:', //  5
  '  containers:', //  6
  '    - name: app', //  7
  '      image: nginx:latest', //  8
  '      securityContext:', //  9
  '        runAsUser: 1000', // 10
  '      resources: {}', // 11
  '',
].join('\n');

describe('finding lines', () => {
  it('a field missing inside an existing block is located at the block key, not at its first child', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kp-lines-')), 'pod.yaml');
    writeFileSync(file, manifest);
    const { report } = await scanManifests([file], resolveSettings(REGISTRY, {}, {}, new Date(0)));
    const inSecurityContext = report.findings.filter(
      (f) => f.path === 'spec.containers[0].securityContext' && f.missing,
    );
    expect(inSecurityContext.length).toBeGreaterThan(0);
    for (const f of inSecurityContext) expect(f.source).toEqual({ file, line: 9 });
    // A value that is written is still located where it is written.
    const image = report.findings.find((f) => f.path === 'spec.containers[0].image');
    expect(image?.source?.line).toBe(8);
  });
});
