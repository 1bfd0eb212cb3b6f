// The shipped seccomp data against its upstream sources at the pinned versions: the default profiles as
// hack/testbin/seccomp-defaults prints them (built from containerd's and moby's Go modules), and the syscall
// tables as scripts/seccomp-syscall-tables.ts makes them from golang.org/x/sys. A version bump in
// hack/testbin/seccomp-defaults/go.mod without regenerating the data fails here.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSyscallTables } from '../../scripts/seccomp-syscall-tables.ts';
import { RUNTIME_DEFAULTS, SYSCALL_TABLES } from '../../src/seccomp/data.ts';

const root = join(new URL('.', import.meta.url).pathname, '../..');

function findGo(): string {
  const candidates = [
    process.env.GO,
    spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).stdout.trim(),
    '/usr/local/go/bin/go',
  ];
  const cache = join(process.env.KUBE_PATROL_CACHE ?? join(homedir(), '.cache/kube-patrol'), 'go');
  if (existsSync(cache)) for (const d of readdirSync(cache)) candidates.push(join(cache, d, 'bin/go'));
  for (const c of candidates) {
    if (!c || !existsSync(c)) continue;
    const version = spawnSync(c, ['env', 'GOVERSION'], { encoding: 'utf8' }).stdout.trim();
    const minor = /^go1\.(\d+)/.exec(version);
    if (minor && Number(minor[1]) >= 22) return c;
  }
  throw new Error('no Go >= 1.22 found: run hack/testbin/build.sh once (it fetches one) or set GO');
}

describe('shipped seccomp data', () => {
  it('equals the defaults that containerd and moby print at the pinned module versions', () => {
    const built = execFileSync('bash', [join(root, 'hack/testbin/build.sh'), 'seccomp-defaults'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 280_000,
    });
    const dir = built.trim().split('\n').at(-1) as string;
    const upstream = JSON.parse(execFileSync(join(dir, 'seccomp-defaults'), { encoding: 'utf8' })) as unknown;
    expect(upstream).toEqual(RUNTIME_DEFAULTS);
  }, 300_000);

  it('has the syscall tables of the pinned golang.org/x/sys', async () => {
    const tables = await buildSyscallTables(findGo());
    expect(tables).toEqual(SYSCALL_TABLES);
  }, 120_000);
});
