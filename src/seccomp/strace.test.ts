import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Arch } from './arch.ts';
import { SYSCALL_TABLES } from './data.ts';
import { parseStrace, pidOfFileName, type StraceFile, type StraceResult } from './strace.ts';

// Real strace 6.1 output (x86_64, Debian 12) of test/runtime/seccomp/workload.c ("workload"), keyring.c
// ("keyring"), a 32-bit (-m32) build of them, and a program sleeping through SIGSTOP/SIGCONT ("restart").
const samples = new URL('./testdata/strace/', import.meta.url).pathname;

function readSample(name: string): StraceFile[] {
  const path = join(samples, name);
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .sort()
      .map((f) => {
        const pid = pidOfFileName(f);
        const text = readFileSync(join(path, f), 'utf8');
        return pid === undefined ? { file: f, text } : { file: f, text, pid };
      });
  }
  return [{ file: name, text: readFileSync(path, 'utf8') }];
}

function parse(files: StraceFile[], arch: Arch = 'x86_64'): StraceResult {
  return parseStrace(files, { arch, tables: SYSCALL_TABLES });
}

function names(result: StraceResult): string[] {
  return result.syscalls.map((s) => s.name);
}

function lines(text: string, arch: Arch = 'x86_64'): StraceResult {
  return parse([{ file: 'trace.txt', text }], arch);
}

// What the workload does, whichever form strace wrote it in: files, loopback TCP, threads, a child.
const WORKLOAD_CALLS = [
  'openat',
  'write',
  'fsync',
  'rename',
  'unlink',
  'read',
  'close',
  'socket',
  'bind',
  'listen',
  'getsockname',
  'connect',
  'accept',
  'sendto',
  'recvfrom',
  'clone3',
  'futex',
  'pipe2',
  'wait4',
  'execve',
  'exit_group',
];
// The child (busybox echo) and the threads only show with -f / -ff.
const FOLLOWED_CALLS = ['dup2', 'exit', 'rseq', 'getuid'];
const KEYRING_CALLS = ['execve', 'brk', 'arch_prctl', 'keyctl', 'write', 'exit_group'];
// -c counts a call when it returns: exit and exit_group never do, so summaries lack them (the base set has both).
const noExit = (calls: string[]) => calls.filter((c) => c !== 'exit' && c !== 'exit_group');

describe('strace forms (real samples)', () => {
  const table: { sample: string; form: string; calls: string[]; notes?: number }[] = [
    { sample: 'f.txt', form: '-f -o FILE (bare pids)', calls: [...WORKLOAD_CALLS, ...FOLLOWED_CALLS] },
    {
      sample: 'f-stderr.txt',
      form: '-f to stderr ([pid N] prefixes, "Process N attached" inside lines)',
      calls: [...WORKLOAD_CALLS, ...FOLLOWED_CALLS],
    },
    { sample: 'ff', form: '-ff -o PREFIX (one file per pid)', calls: [...WORKLOAD_CALLS, ...FOLLOWED_CALLS] },
    { sample: 'C.txt', form: '-f -C (trace and summary)', calls: [...WORKLOAD_CALLS, ...FOLLOWED_CALLS] },
    { sample: 'f-tt.txt', form: '-f -tt', calls: [...WORKLOAD_CALLS, ...FOLLOWED_CALLS] },
    { sample: 'f-T.txt', form: '-f -T', calls: [...WORKLOAD_CALLS, ...FOLLOWED_CALLS] },
    { sample: 'f-y.txt', form: '-f -y', calls: [...WORKLOAD_CALLS, ...FOLLOWED_CALLS] },
    { sample: 'f-yy.txt', form: '-f -yy', calls: [...WORKLOAD_CALLS, ...FOLLOWED_CALLS] },
    { sample: 'f-ttt-T-yy.txt', form: '-f -ttt -T -yy', calls: [...WORKLOAD_CALLS, ...FOLLOWED_CALLS] },
    { sample: 'c.txt', form: '-c', calls: noExit(WORKLOAD_CALLS) },
    { sample: 'c-w.txt', form: '-f -c -w', calls: noExit([...WORKLOAD_CALLS, ...FOLLOWED_CALLS]) },
    {
      sample: 'c-S-calls.txt',
      form: '-f -c -S calls',
      calls: noExit([...WORKLOAD_CALLS, ...FOLLOWED_CALLS]),
    },
    { sample: 'c-U-columns.txt', form: '-c -U name,calls,errors', calls: noExit(KEYRING_CALLS) },
    { sample: 'c-U-all.txt', form: '-c -U (every column)', calls: noExit(KEYRING_CALLS) },
    { sample: 'plain-keyring.txt', form: 'plain -o FILE', calls: KEYRING_CALLS },
    { sample: 't.txt', form: '-t', calls: KEYRING_CALLS },
    { sample: 'ttt.txt', form: '-ttt', calls: KEYRING_CALLS },
    { sample: 'r.txt', form: '-r', calls: KEYRING_CALLS },
    { sample: 'X-raw.txt', form: '-X raw', calls: KEYRING_CALLS },
    { sample: 'X-verbose.txt', form: '-X verbose', calls: KEYRING_CALLS },
    {
      sample: 'restart.txt',
      form: 'restart_syscall, --- SIG --- and --- stopped by ---',
      calls: ['restart_syscall', 'clock_nanosleep', 'rt_sigreturn', 'alarm'],
    },
  ];
  it.each(table)('$form ($sample)', ({ sample, calls }) => {
    const result = parse(readSample(sample));
    expect(result.errors).toEqual([]);
    expect(names(result)).toEqual(expect.arrayContaining(calls));
    expect(result.notes).toEqual([]);
  });

  it('reads the same calls from every form of the same workload trace', () => {
    const sets = ['f.txt', 'ff', 'f-T.txt', 'f-y.txt', 'f-yy.txt', 'f-ttt-T-yy.txt', 'f-tt.txt'].map((s) =>
      names(parse(readSample(s))),
    );
    for (const s of sets) expect(s).toEqual(sets[0]);
  });

  it('counts calls and failures from the trace and from summary tables', () => {
    const summary = parse(readSample('c.txt'));
    const get = (r: StraceResult, n: string) => r.syscalls.find((s) => s.name === n)!;
    expect(get(summary, 'write')).toMatchObject({ count: 6, failed: 0 });
    expect(get(summary, 'ioctl')).toMatchObject({ count: 1, failed: 1 });
    expect(get(summary, 'clone3').count).toBe(3);
    const columns = parse(readSample('c-U-columns.txt'));
    expect(get(columns, 'brk').count).toBe(5);
    const trace = parse(readSample('plain-keyring.txt'));
    expect(get(trace, 'brk').count).toBe(5);
    const ioctl = parse(readSample('f.txt')).syscalls.find((s) => s.name === 'ioctl')!;
    expect(ioctl.failed).toBeGreaterThan(0);
  });

  it('switches a process to the 32-bit table on "[ Process PID=N runs in 32 bit mode. ]"', () => {
    const result = parse(readSample('f-stderr-32bit.txt'));
    expect(result.errors).toEqual([]);
    expect(result.notes).toEqual([]);
    const arches = Object.fromEntries(result.syscalls.map((s) => [s.name, s.arches]));
    expect(arches.keyctl).toEqual(['x86']);
    expect(arches.set_thread_area).toEqual(['x86']);
    // Both execve calls are made by 64-bit code: the launcher's, and the one that strace sees first.
    expect(arches.execve).toEqual(['x86_64']);
  });

  it('accepts 32-bit names in an -o file (which lacks the switch line), with a note', () => {
    const result = parse(readSample('f-32bit.txt'));
    expect(result.errors).toEqual([]);
    expect(names(result)).toEqual(
      expect.arrayContaining(['mmap2', 'ugetrlimit', 'socketcall', 'set_thread_area']),
    );
    expect(result.notes.map((n) => n.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"mmap2" is a x86 system call'),
        expect.stringContaining('socketcall subcall'),
      ]),
    );
  });

  it('reads "System call usage summary for 32 bit mode:" tables', () => {
    const result = parse(readSample('c-32bit.txt'));
    expect(result.errors).toEqual([]);
    const arches = Object.fromEntries(result.syscalls.map((s) => [s.name, s.arches]));
    expect(arches.mmap2).toEqual(['x86']);
    expect(arches.arch_prctl).toEqual(['x86_64']);
    expect(arches.socketcall).toEqual(['x86']);
  });
});

describe('strace lines', () => {
  const valid: { form: string; text: string; calls: string[] }[] = [
    { form: 'plain', text: 'openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3\n', calls: ['openat'] },
    {
      form: 'failed call',
      text: 'openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)\n',
      calls: ['openat'],
    },
    { form: 'bare pid', text: '123 getpid() = 123\n', calls: ['getpid'] },
    { form: '[pid N]', text: '[pid  4242] gettid() = 4242\n', calls: ['gettid'] },
    { form: '-t', text: '20:58:27 getpid() = 1\n', calls: ['getpid'] },
    { form: '-tt with pid', text: '77 20:58:27.123456 getppid() = 1\n', calls: ['getppid'] },
    { form: '-ttt', text: '1796158707.783522 getuid() = 0\n', calls: ['getuid'] },
    { form: '-r', text: '     0.000022 brk(NULL) = 0x19c1a000\n', calls: ['brk'] },
    { form: '-r with pid', text: '25386      0.000022 brk(NULL) = 0x19c1a000\n', calls: ['brk'] },
    { form: '-T', text: 'close(3) = 0 <0.000008>\n', calls: ['close'] },
    { form: '-y', text: 'close(3</tmp/a b>) = 0\n', calls: ['close'] },
    {
      form: '-yy result',
      text: 'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3<TCP:[1234]>\n',
      calls: ['socket'],
    },
    { form: '-X raw', text: 'openat(0xffffff9c, "/x", 0) = -1 (errno 2)\n', calls: ['openat'] },
    {
      form: '-X verbose',
      text: 'arch_prctl(0x1002 /* ARCH_SET_FS */, 0x25f53380) = 0\n',
      calls: ['arch_prctl'],
    },
    { form: 'result with detail', text: 'fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)\n', calls: ['fcntl'] },
    { form: 'no return', text: 'exit_group(0) = ?\n+++ exited with 0 +++\n', calls: ['exit_group'] },
    {
      form: 'interrupted',
      text: 'clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=2, tv_nsec=0}, NULL) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)\n',
      calls: ['clock_nanosleep'],
    },
    {
      form: 'unfinished + resumed',
      text: '1 futex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>\n2 getpid() = 2\n1 <... futex resumed>) = 0\n',
      calls: ['futex', 'getpid'],
    },
    {
      form: 'resumed without its start',
      text: '9 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 10\n',
      calls: ['wait4'],
    },
    { form: 'unavailable result', text: '3 <... futex resumed>) = ? <unavailable>\n', calls: ['futex'] },
    {
      form: 'signals and exits',
      text: '--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---\n+++ killed by SIGKILL +++\n--- stopped by SIGSTOP ---\n',
      calls: [],
    },
    {
      form: 'restart_syscall',
      text: 'restart_syscall(<... resuming interrupted clock_nanosleep ...>) = 0\n',
      calls: ['restart_syscall'],
    },
    {
      form: 'strace messages and -k frames',
      text: 'strace: Process 12 attached\ngetpid() = 1\n > /usr/lib/libc.so.6(getpid+0x7) [0x1]\n',
      calls: ['getpid'],
    },
    { form: 'CRLF', text: 'getpid() = 1\r\n', calls: ['getpid'] },
    { form: 'string that looks like a result', text: 'write(1, "x) = 3\\n", 7) = 7\n', calls: ['write'] },
  ];
  it.each(valid)('$form', ({ text, calls }) => {
    const result = lines(text);
    expect(result.errors).toEqual([]);
    expect(names(result)).toEqual([...calls].sort());
  });

  it('counts an unfinished call once when it resumes', () => {
    const result = lines('1 read(3,  <unfinished ...>\n1 <... read resumed>"x", 1) = 1\n');
    expect(result.syscalls).toMatchObject([{ name: 'read', count: 1, failed: 0 }]);
    const failed = lines(
      '1 read(3,  <unfinished ...>\n1 <... read resumed>0x1, 1) = -1 EAGAIN (Resource temporarily unavailable)\n',
    );
    expect(failed.syscalls).toMatchObject([{ name: 'read', count: 1, failed: 1 }]);
  });

  it('records the arguments the default profiles test', () => {
    const result = lines(
      'clone(child_stack=NULL, flags=CLONE_NEWUSER|SIGCHLD) = 5\nsocket(AF_VSOCK, SOCK_STREAM, 0) = 3\n' +
        'clone3({flags=CLONE_VM|CLONE_THREAD, exit_signal=0}, 88) = 6\n',
    );
    const args = Object.fromEntries(result.syscalls.map((s) => [s.name, s.argSamples]));
    expect(args).toEqual({
      clone: ['CLONE_NEWUSER|SIGCHLD'],
      clone3: ['CLONE_VM|CLONE_THREAD'],
      socket: ['AF_VSOCK'],
    });
  });

  const invalid: { form: string; text: string; line: number; message: RegExp; arch?: Arch }[] = [
    {
      form: 'unknown name',
      text: 'getpid() = 1\nfrobnicate(1) = 0\n',
      line: 2,
      message: /unknown system call "frobnicate" for x86_64 and x86/,
    },
    {
      form: 'number strace did not know',
      text: 'syscall_0x1b6(0x1, 0x2) = -1 ENOSYS (Function not implemented)\n',
      line: 1,
      message: /syscall_0x1b6.*did not know its number/,
    },
    {
      form: 'truncated line',
      text: 'getpid() = 1\nopenat(AT_FDCWD, "/etc/ld.so\n',
      line: 2,
      message: /truncated or garbled line: "openat\(" has no "= result"/,
    },
    {
      form: 'truncated resumed',
      text: '1 <... read resumed>"abc',
      line: 1,
      message: /truncated line: no result after "read resumed"/,
    },
    { form: 'garbled', text: '????( = 0\n', line: 1, message: /not a line of strace output/ },
    { form: 'prose', text: 'hello world\n', line: 1, message: /not a line of strace output: hello world/ },
    { form: 'signal line cut', text: '--- SIGCHLD {si_signo=SIGCHLD\n', line: 1, message: /signal line/ },
    {
      form: 'garbled summary row',
      text: '% time     seconds  usecs/call     calls    errors syscall\n------ ----------- ----------- --------- --------- ----------------\n  1.00 0.1 1 2 3 read write\n',
      line: 3,
      message: /garbled summary row/,
    },
    { form: 'binary', text: 'getpid() = 1\n\u0000\u0001\u0002\n', line: 2, message: /binary data/ },
    {
      form: 'x86_64 name on aarch64',
      text: 'arch_prctl(ARCH_SET_FS, 0x1) = 0\n',
      line: 1,
      message: /unknown system call "arch_prctl" for aarch64 and arm/,
      arch: 'aarch64',
    },
  ];
  it.each(invalid)('error: $form', ({ text, line, message, arch }) => {
    const result = lines(text, arch);
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors[0]).toMatchObject({ file: 'trace.txt', line });
    expect(result.errors[0]!.message).toMatch(message);
  });

  it('caps the errors of a file that is not strace output', () => {
    const result = parse([{ file: 'big.bin', text: 'nonsense line\n'.repeat(1000) }]);
    expect(result.errors).toHaveLength(21);
    expect(result.errors[20]!.message).toMatch(/further errors/);
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 400 }),
        fc.constantFrom<Arch>('x86_64', 'aarch64', 'x86', 'arm'),
        (text, arch) => {
          const result = lines(text, arch);
          expect(Array.isArray(result.errors)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
    // Lines cut at every length: each either parses or is reported, never crashes.
    const sample = readFileSync(join(samples, 'f-ttt-T-yy.txt'), 'utf8').split('\n').slice(0, 40);
    for (const line of sample) {
      for (let cut = 1; cut < line.length; cut += 7) lines(line.slice(0, cut));
    }
  });

  it('reads the pid of an -ff file from its name', () => {
    expect(pidOfFileName('trace.25406')).toBe(25406);
    expect(pidOfFileName('trace.txt')).toBeUndefined();
  });
});
