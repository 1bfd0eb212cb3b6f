// The seccomp workflow on a real runtime: strace a program on the host, make a profile with the CLI, run
// the program under Debian's runc with it. Also: a profile missing one observed call fails where that call
// happens; `seccomp check`'s verdict matches running under the shipped RuntimeDefault data.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_DEFAULTS } from '../../src/seccomp/data.ts';
import { materializeRuntimeDefault } from '../../src/seccomp/runtime-default.ts';
import {
  BUSYBOX,
  CONTAINER_CAPABILITIES,
  compileStatic,
  requireTools,
  runContainer,
  runcSkipReason,
  type RunResult,
} from './support/runc.ts';

const skip = runcSkipReason();
if (skip) console.warn(`seccomp-runc: skipped: ${skip}`);

const here = new URL('.', import.meta.url).pathname;
const cli = join(here, '../../src/cli/main.ts');

interface OciProfile {
  defaultAction: string;
  syscalls: { names: string[]; action: string }[];
}

function kubePatrol(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function withoutSyscall(profile: OciProfile, name: string): OciProfile {
  return {
    ...profile,
    syscalls: profile.syscalls.map((s) => ({ ...s, names: s.names.filter((n) => n !== name) })),
  };
}

function logRun(label: string, run: RunResult): void {
  console.log(`seccomp-runc: ${label}: exit ${run.status} in ${run.ms.toFixed(0)} ms`);
}

describe.skipIf(skip !== undefined)('seccomp profiles under runc', () => {
  let root: string;
  let work: string;
  let traces: string;
  let expected: string;

  beforeAll(() => {
    requireTools();
    root = mkdtempSync(join(tmpdir(), 'kp-seccomp-'));
    work = join(root, 'work');
    traces = join(root, 'traces');
    mkdirSync(work);
    mkdirSync(traces);
    compileStatic(join(here, 'seccomp/workload.c'), join(work, 'workload'), ['-pthread']);
    compileStatic(join(here, 'seccomp/keyring.c'), join(work, 'keyring'));
    // The trace a user would take: the program on the host, every process in its own file.
    const scratch = join(root, 'scratch');
    mkdirSync(scratch);
    const traced = spawnSync(
      'strace',
      ['-ff', '-o', join(traces, 'workload'), join(work, 'workload'), scratch, BUSYBOX],
      { encoding: 'utf8' },
    );
    expect(traced.status, traced.stderr).toBe(0);
    expected = traced.stdout;
    expect(expected).toBe(
      'files: 11 bytes, read back hello file\nloopback: received ping\nthreads: total 505605\nchild: child-ok\ndone\n',
    );
    const keyring = spawnSync('strace', ['-o', join(traces, 'keyring.txt'), join(work, 'keyring')], {
      encoding: 'utf8',
    });
    expect(keyring.status, keyring.stderr).toBe(0);
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const workload = ['/work/workload', '/tmp', '/bin/busybox'];

  it('runs the program under the profile made from its trace, with and without no_new_privs', () => {
    const out = join(root, 'profile');
    const made = kubePatrol([
      'seccomp',
      'profile',
      '--from-strace',
      join(traces, 'workload'),
      '--out-dir',
      out,
    ]);
    expect(made.status, made.stderr).toBe(0);
    const profile = JSON.parse(readFileSync(join(out, 'app.json'), 'utf8')) as OciProfile;
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile.syscalls[0]!.names).not.toContain('keyctl');
    for (const noNewPrivileges of [true, false]) {
      const run = runContainer(root, { workDir: work, args: workload, seccomp: profile, noNewPrivileges });
      logRun(`workload under its profile (noNewPrivileges ${noNewPrivileges})`, run);
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe(expected);
      expect(run.status).toBe(0);
    }
  });

  it('fails with EPERM where a call that was removed from the profile happens', () => {
    const out = join(root, 'profile-removed');
    expect(
      kubePatrol(['seccomp', 'profile', '--from-strace', traces + '/workload', '--out-dir', out]).status,
    ).toBe(0);
    const profile = JSON.parse(readFileSync(join(out, 'app.json'), 'utf8')) as OciProfile;
    for (const [name, step, before] of [
      ['rename', 'rename', ''],
      ['listen', 'listen', 'files: 11 bytes, read back hello file\n'],
    ] as const) {
      expect(profile.syscalls[0]!.names).toContain(name);
      const run = runContainer(root, {
        workDir: work,
        args: workload,
        seccomp: withoutSyscall(profile, name),
        noNewPrivileges: true,
      });
      logRun(`workload without ${name}`, run);
      expect(run.status).toBe(3);
      expect(run.stdout).toBe(`${before}FAIL ${step}: Operation not permitted\n`);
    }
    // The same cut profile in log mode only logs: the trial period does not break the program.
    const log = JSON.parse(readFileSync(join(out, 'app.log.json'), 'utf8')) as OciProfile;
    expect(log.defaultAction).toBe('SCMP_ACT_LOG');
    const run = runContainer(root, {
      workDir: work,
      args: workload,
      seccomp: withoutSyscall(log, 'rename'),
      noNewPrivileges: true,
    });
    logRun('workload without rename, log mode', run);
    expect(run.stdout).toBe(expected);
  });

  for (const runtime of ['containerd', 'docker'] as const) {
    it(`check's verdict matches the program under ${runtime}'s RuntimeDefault`, () => {
      const defaultProfile = materializeRuntimeDefault(
        RUNTIME_DEFAULTS[runtime],
        CONTAINER_CAPABILITIES,
        'x86_64',
      );
      const caps = CONTAINER_CAPABILITIES.join(',');
      const cases = [
        { trace: join(traces, 'workload'), args: workload, output: expected },
        { trace: join(traces, 'keyring.txt'), args: ['/work/keyring'], output: 'keyring: ok\n' },
      ];
      const verdicts: boolean[] = [];
      for (const c of cases) {
        const check = kubePatrol([
          'seccomp',
          'check',
          '--from-strace',
          c.trace,
          '--capabilities',
          caps,
          '--runtime',
          runtime,
          '-o',
          'json',
        ]);
        const verdict = JSON.parse(check.stdout) as {
          runtimeDefaultEnough: boolean;
          deniedByRuntimeDefault: string[];
        };
        expect(check.status).toBe(verdict.runtimeDefaultEnough ? 0 : 1);
        verdicts.push(verdict.runtimeDefaultEnough);
        const unconfined = runContainer(root, { workDir: work, args: c.args, noNewPrivileges: true });
        expect(unconfined.stdout).toBe(c.output);
        const run = runContainer(root, {
          workDir: work,
          args: c.args,
          seccomp: defaultProfile,
          noNewPrivileges: true,
        });
        logRun(`${c.args[0]} under ${runtime} RuntimeDefault`, run);
        if (verdict.runtimeDefaultEnough) {
          expect(run.stdout).toBe(c.output);
          expect(run.status).toBe(0);
        } else {
          expect(verdict.deniedByRuntimeDefault).toEqual(['keyctl']);
          expect(run.stdout).toBe('FAIL keyctl: Operation not permitted\n');
          expect(run.status).toBe(3);
        }
      }
      // One program that RuntimeDefault is enough for, one it is not.
      expect(verdicts).toEqual([true, false]);
    });
  }
});
