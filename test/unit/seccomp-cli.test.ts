/** `kube-patrol seccomp` as a user runs it: a real process over real strace output (src/seccomp/testdata). */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../../src/version.ts';

const root = projectRoot();
const cli = join(root, 'src', 'cli', 'main.ts');
const samples = join(root, 'src/seccomp/testdata/strace');

function kp(args: string[]) {
  const result = spawnSync(process.execPath, [cli, 'seccomp', ...args], { cwd: root, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kp-seccomp-cli-'));
  await writeFile(join(dir, 'bad.txt'), 'getpid() = 1\nfrobnicate(1) = 0\nopenat(AT_FDCWD, "/et\n');
});

// Each case starts a few CLI processes: generous time for a loaded 2-core machine.
describe('kube-patrol seccomp profile', { timeout: 60_000 }, () => {
  it('prints an OCI profile of the observed calls plus the base set', () => {
    const run = kp(['profile', '--from-strace', join(samples, 'ff')]);
    expect(run.status, run.stderr).toBe(0);
    const profile = JSON.parse(run.stdout) as {
      defaultAction: string;
      defaultErrnoRet: number;
      syscalls: { names: string[] }[];
    };
    expect(profile).toMatchObject({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1 });
    expect(profile.syscalls[0]!.names).toEqual(
      expect.arrayContaining(['rename', 'listen', 'clone3', 'capset']),
    );
  });

  it('reads the prefix given to strace -ff -o, a directory, or files alike', () => {
    const outputs = [
      ['ff/trace'],
      ['ff'],
      ['trace.25406', 'trace.25416', 'trace.25417', 'trace.25418', 'trace.25421'].map((f) => `ff/${f}`),
    ].map((paths) => kp(['profile', '--from-strace', ...paths.map((p) => join(samples, p))]).stdout);
    expect(outputs[0]).not.toBe('');
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
  });

  it('writes log mode, the SPO object and the patch', () => {
    const log = JSON.parse(
      kp(['profile', '--from-strace', join(samples, 'f.txt'), '--mode', 'log']).stdout,
    ) as object;
    expect(log).toMatchObject({ defaultAction: 'SCMP_ACT_LOG' });
    expect(log).not.toHaveProperty('defaultErrnoRet');
    const spo = parse(
      kp([
        'profile',
        '--from-strace',
        join(samples, 'f.txt'),
        '-o',
        'spo',
        '--name',
        'web',
        '--namespace',
        'shop',
      ]).stdout,
    ) as Record<string, unknown>;
    expect(spo).toMatchObject({ kind: 'SeccompProfile', metadata: { name: 'web', namespace: 'shop' } });
    const patch = parse(
      kp([
        'profile',
        '--from-strace',
        join(samples, 'f.txt'),
        '-o',
        'patch',
        '--name',
        'web',
        '--namespace',
        'shop',
      ]).stdout,
    ) as unknown;
    expect(patch).toEqual({
      securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'operator/shop/web.json' } },
    });
  });

  it('writes all of them and a README with --out-dir', async () => {
    const out = join(dir, 'out');
    const run = kp(['profile', '--from-strace', join(samples, 'f.txt'), '--out-dir', out, '--name', 'web']);
    expect(run.status, run.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      'README.md',
      'web.json',
      'web.log.json',
      'web.patch.yaml',
      'web.seccompprofile.yaml',
    ]);
    const stdoutProfile = kp(['profile', '--from-strace', join(samples, 'f.txt')]).stdout;
    expect(await readFile(join(out, 'web.json'), 'utf8')).toBe(stdoutProfile);
  });

  it('names file:line for bad input, writes nothing and exits 2', async () => {
    const out = join(dir, 'not-written');
    const run = kp(['profile', '--from-strace', join(dir, 'bad.txt'), '--out-dir', out]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${join(dir, 'bad.txt')}:2: unknown system call "frobnicate"`);
    expect(run.stderr).toContain(`${join(dir, 'bad.txt')}:3: truncated or garbled line`);
    await expect(readdir(out)).rejects.toThrow();
    expect(kp(['profile', '--from-strace', join(dir, 'missing')]).stderr).toContain(
      'no such file, directory or strace -ff prefix',
    );
    expect(kp(['profile', '--from-strace', join(samples, 'f.txt'), '--name', 'Bad/Name']).status).toBe(2);
    expect(kp(['profile', '--from-strace', join(samples, 'f.txt'), '-o', 'xml']).status).toBe(2);
  });
});

describe('kube-patrol seccomp check', { timeout: 60_000 }, () => {
  it('recommends RuntimeDefault when it is enough (exit 0)', () => {
    const run = kp(['check', '--from-strace', join(samples, 'ff')]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^RuntimeDefault is enough: use it\./);
  });

  it('names what RuntimeDefault denies (exit 1), in text and JSON', () => {
    const text = kp(['check', '--from-strace', join(samples, 'plain-keyring.txt')]);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/^RuntimeDefault denies keyctl: use a Localhost profile\./);
    const json = kp([
      'check',
      '--from-strace',
      join(samples, 'plain-keyring.txt'),
      '-o',
      'json',
      '--runtime',
      'docker',
      '--capabilities',
      'sys_admin,CAP_SYS_PTRACE',
    ]);
    const result = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      deniedByRuntimeDefault: ['keyctl'],
      runtimeDefaultEnough: false,
      capabilities: ['CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'],
      runtime: { name: 'docker', module: 'github.com/moby/profiles/seccomp' },
    });
    expect(result.observed).toEqual(expect.arrayContaining(['keyctl', 'execve']));
  });

  it("refuses containerd data for another architecture family, and uses Docker's there", async () => {
    const trace = join(dir, 'arm64.txt');
    await writeFile(
      trace,
      'openat(AT_FDCWD, "/x", O_RDONLY) = 3\nkeyctl(KEYCTL_GET_KEYRING_ID, -3, 0) = 1\nexit_group(0) = ?\n',
    );
    const containerd = kp(['check', '--from-strace', trace, '--arch', 'aarch64']);
    expect(containerd.status).toBe(2);
    expect(containerd.stderr).toContain('use --runtime docker');
    const docker = kp([
      'check',
      '--from-strace',
      trace,
      '--arch',
      'arm64',
      '--runtime',
      'docker',
      '-o',
      'json',
    ]);
    expect(docker.status).toBe(1);
    expect(JSON.parse(docker.stdout)).toMatchObject({ arch: 'aarch64', deniedByRuntimeDefault: ['keyctl'] });
  });
});
