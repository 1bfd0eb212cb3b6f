// Reads strace output into the set of system calls a program made. Pure: the caller reads the files.
//
// Forms understood (each has a sample in testdata/strace, made with strace 6.1): plain; `-f` with bare pids
// (`-o FILE`) or `[pid N]` prefixes (stderr); `-ff -o PREFIX` (one file per pid: the pid comes from the file
// name); the `-c`/`-C`/`-w`/`-S`/`-U` summary tables (also "System call usage summary for 32 bit mode:");
// timestamps `-t`, `-tt`, `-ttt`, `-r`; `-T`; `-y`/`-yy`; `-X raw|abbrev|verbose`; `<unfinished ...>` /
// `<... NAME resumed>`; `--- SIGNAL ... ---`; `+++ exited/killed ... +++`; `restart_syscall`;
// `[ Process PID=N runs in 32 bit mode. ]`; `strace: ...` messages; `-k` stack lines (` > ...`).
// Failed calls count: the program made them.
import type { Arch, SyscallTable } from './arch.ts';
import { FAMILIES, familyOf } from './arch.ts';

export interface StraceSource {
  /** shown in errors: the path the user gave */
  file: string;
  /** the pid of a `-ff -o PREFIX` file (PREFIX.PID): its lines carry none */
  pid?: number;
}

export interface StraceFile extends StraceSource {
  text: string;
}

export interface SourceLine {
  file: string;
  line: number;
}

export interface ObservedSyscall {
  name: string;
  /** calls counted (a summary row counts its `calls` column) */
  count: number;
  /** calls that returned an error */
  failed: number;
  /** the personalities it was made in */
  arches: Arch[];
  first: SourceLine;
  /**
   * The argument the default profiles condition on, as strace printed it, for the few calls where they
   * do: clone's flags, socket's domain, personality's persona. At most MAX_ARG_SAMPLES distinct values.
   */
  argSamples: string[];
}

export interface StraceProblem extends SourceLine {
  message: string;
}

export interface StraceResult {
  syscalls: ObservedSyscall[];
  errors: StraceProblem[];
  /** things worth telling the user that are not errors */
  notes: StraceProblem[];
  /** lines that were system calls or summary rows */
  callLines: number;
}

export interface StraceOptions {
  /** the personality of a process until strace says it switched */
  arch: Arch;
  tables: Readonly<Record<Arch, SyscallTable>>;
  /** stop reporting a file's errors after this many (a wrong file is usually wrong on every line) */
  maxErrorsPerFile?: number;
}

const MAX_ARG_SAMPLES = 20;
const ARG_SAMPLED = new Set(['clone', 'clone3', 'socket', 'personality']);

const NAME = /^([a-z_][a-z0-9_]*)\(/;
const RESUMED = /^<\.\.\. ([a-z_][a-z0-9_]*) resumed>/;
// `= 0`, `= -1 ENOENT (No such file or directory)`, `= ? ERESTARTSYS (...)`, `= 3<TCP:[...]>` (-yy),
// `= 0 (entry_number=12)`, `= -1 (errno 2)` (-X raw), then -T's ` <0.000139>`.
const RESULT =
  /\)\s+= (?:-?\d+|0x[0-9a-f]+|\?)(?: ?<.*>)?(?: [A-Z][A-Z0-9_]*)?(?: \(.*\))?(?: <\d+(?:\.\d+)?>)?$/;
const FAILED = /\)\s+= -1 /;
const UNFINISHED = / ?<unfinished \.\.\.>\)?$/;
const PID_PREFIX = /^(?:\[pid\s+(\d+)\]\s*|(\d+)\s+)/;
const TIMESTAMP = /^(?:\d{1,2}:\d\d:\d\d(?:\.\d+)?|\d+\.\d+)\s+/;
const PERSONALITY = /^\[ Process PID=(\d+) runs in (64 bit|32 bit|x32) mode\. \]$/;
const SUMMARY_FOR = /^System call usage summary for (64 bit|32 bit|x32) mode:$/;
// The column titles of `-c`, whichever `-U` chose; the name column is always there.
const SUMMARY_HEADER =
  /^(?=.*\bsyscall\b)(?:(?:% time|seconds|usecs\/call|shortest|longest|calls|errors|syscall)(?:\s+|$))+$/;
const ATTACHED_INSIDE = /^(.+?)strace: Process \d+ (?:attached|detached)$/;
// i386 has no send/recv system calls: libc reaches them through socketcall, and strace names the subcall.
// The System V IPC calls went through ipc before Linux 5.1 and can still.
const MULTIPLEXED_X86: Readonly<Record<string, string>> = {
  send: 'socketcall',
  recv: 'socketcall',
  semop: 'ipc',
  msgsnd: 'ipc',
  msgrcv: 'ipc',
  shmat: 'ipc',
  shmdt: 'ipc',
  shmget: 'ipc',
  semget: 'ipc',
  semctl: 'ipc',
  msgget: 'ipc',
  msgctl: 'ipc',
  shmctl: 'ipc',
  semtimedop: 'ipc',
};
const SUMMARY_RULE = /^-+(?:\s+-+)*$/;

function personalityArch(mode: string, current: Arch): Arch {
  const family = FAMILIES[familyOf(current)];
  return mode === '32 bit' ? family.compat : family.primary;
}

interface SummaryColumns {
  names: string[];
}

/** One file's state; the result accumulates across files. */
class Reader {
  private readonly archByPid = new Map<number, Arch>();
  private readonly pending = new Map<number, string>();
  private summary: SummaryColumns | undefined;
  private summaryArch: Arch | undefined;
  private fileErrors = 0;
  private readonly warnedCompat = new Set<string>();

  private readonly input: StraceSource;
  private readonly options: StraceOptions;
  private readonly out: Accumulator;
  private lineNumber = 0;
  /** a line cut by "strace: Process N attached", waiting for its rest on the next line */
  private held: { text: string; line: number } | undefined;

  constructor(input: StraceSource, options: StraceOptions, out: Accumulator) {
    this.input = input;
    this.options = options;
    this.out = out;
  }

  /** One line of the file, without its line break. */
  push(text: string): void {
    this.lineNumber++;
    let raw = text.endsWith('\r') ? text.slice(0, -1) : text;
    let line = this.lineNumber;
    if (this.held) {
      raw = this.held.text + raw;
      line = this.held.line;
      this.held = undefined;
    } else {
      // On stderr, strace's "Process N attached" can land inside the line of the clone that made N.
      const attached = ATTACHED_INSIDE.exec(raw);
      if (attached) {
        this.held = { text: attached[1] as string, line };
        return;
      }
    }
    if (raw.trim() === '') return;
    if (raw.includes('\0')) {
      this.error(line, 'binary data: this is not strace output');
      return;
    }
    this.readLine(raw, line);
  }

  end(): void {
    const held = this.held;
    this.held = undefined;
    if (held) this.readLine(held.text, held.line);
  }

  private error(line: number, message: string): void {
    const max = this.options.maxErrorsPerFile ?? 20;
    this.fileErrors++;
    if (this.fileErrors <= max) this.out.errors.push({ file: this.input.file, line, message });
    else if (this.fileErrors === max + 1)
      this.out.errors.push({ file: this.input.file, line, message: 'further errors in this file not shown' });
  }

  private readLine(raw: string, line: number): void {
    const trimmed = raw.trim();
    if (this.summary !== undefined || SUMMARY_HEADER.test(trimmed) || SUMMARY_FOR.test(trimmed)) {
      if (this.readSummaryLine(trimmed, line)) return;
    }
    if (trimmed.startsWith('strace: ') || trimmed.startsWith('> ')) return;

    let rest = trimmed;
    let pid = this.input.pid ?? 0;
    const prefix = PID_PREFIX.exec(rest);
    if (prefix) {
      pid = Number(prefix[1] ?? prefix[2]);
      rest = rest.slice(prefix[0].length);
    }
    const time = TIMESTAMP.exec(rest);
    if (time) rest = rest.slice(time[0].length);

    const personality = PERSONALITY.exec(rest);
    if (personality) {
      const arch = personalityArch(personality[2] as string, this.options.arch);
      this.archByPid.set(Number(personality[1]), arch);
      // strace leaves out the [pid N] prefix while it traces one process: those lines are that process's.
      this.archByPid.set(this.input.pid ?? 0, arch);
      return;
    }
    if (rest.startsWith('---')) {
      if (!/^--- .* ---$/.test(rest))
        this.error(line, `a signal line that does not end in "---": ${clip(rest)}`);
      return;
    }
    if (rest.startsWith('+++')) {
      if (!/^\+\+\+ .* \+\+\+$/.test(rest))
        this.error(line, `an exit line that does not end in "+++": ${clip(rest)}`);
      this.pending.delete(pid);
      return;
    }

    const resumed = RESUMED.exec(rest);
    if (resumed) {
      const name = resumed[1] as string;
      if (!RESULT.test(rest) && !UNFINISHED.test(rest)) {
        this.error(line, `truncated line: no result after "${name} resumed"`);
        return;
      }
      const wasPending = this.pending.get(pid) === name;
      this.pending.delete(pid);
      // Counted when it started; a resumed call whose start is not in this file (attached later) counts here.
      if (!wasPending) this.record(name, pid, line, FAILED.test(rest), undefined);
      else if (FAILED.test(rest)) this.out.markFailed(name);
      return;
    }

    const call = NAME.exec(rest);
    if (!call) {
      this.error(line, `not a line of strace output: ${clip(rest)}`);
      return;
    }
    const name = call[1] as string;
    if (UNFINISHED.test(rest)) {
      this.pending.set(pid, name);
    } else if (!RESULT.test(rest)) {
      this.error(line, `truncated or garbled line: "${name}(" has no "= result" at the end`);
      return;
    }
    this.record(
      name,
      pid,
      line,
      FAILED.test(rest),
      ARG_SAMPLED.has(name) ? argumentOf(name, rest) : undefined,
    );
  }

  /** true when the line belonged to a summary table */
  private readSummaryLine(trimmed: string, line: number): boolean {
    const forMode = SUMMARY_FOR.exec(trimmed);
    if (forMode) {
      this.summaryArch = personalityArch(forMode[1] as string, this.options.arch);
      return true;
    }
    if (SUMMARY_HEADER.test(trimmed)) {
      this.summary = { names: trimmed.replace('% time', '%time').split(/\s+/) };
      return true;
    }
    if (this.summary === undefined) return false;
    if (SUMMARY_RULE.test(trimmed)) return true;
    const cells = trimmed.split(/\s+/);
    const words = cells.filter((c) => !/^-?[\d.]+$/.test(c));
    const numbers = cells.filter((c) => /^-?[\d.]+$/.test(c));
    if (words.length !== 1 || !/^[a-z_][a-z0-9_]*$/.test(words[0] as string)) {
      this.error(line, `garbled summary row: ${clip(trimmed)}`);
      return true;
    }
    const name = words[0] as string;
    if (name === 'total') {
      this.summary = undefined;
      this.summaryArch = undefined;
      return true;
    }
    // The errors column is blank when there were none, so map the numbers onto the other columns.
    const numeric = this.summary.names.filter((c) => c !== 'syscall');
    const columns = numbers.length === numeric.length ? numeric : numeric.filter((c) => c !== 'errors');
    const calls = Number(numbers[columns.indexOf('calls')] ?? 1);
    const errors = Number(numbers[columns.indexOf('errors')] ?? 0);
    const arch = this.summaryArch ?? this.options.arch;
    this.recordAs(name, arch, line, Number.isFinite(calls) ? calls : 1, Number.isFinite(errors) ? errors : 0);
    return true;
  }

  private record(name: string, pid: number, line: number, failed: boolean, arg: string | undefined): void {
    const arch = this.archByPid.get(pid) ?? this.options.arch;
    this.recordAs(name, arch, line, 1, failed ? 1 : 0, arg);
  }

  private recordAs(
    name: string,
    arch: Arch,
    line: number,
    count: number,
    failed: number,
    arg?: string,
  ): void {
    const family = FAMILIES[familyOf(arch)];
    const multiplexer = family.compat === 'x86' ? MULTIPLEXED_X86[name] : undefined;
    if (
      multiplexer &&
      !(name in this.options.tables.x86.syscalls) &&
      !(name in this.options.tables[arch].syscalls)
    ) {
      if (!this.warnedCompat.has(name)) {
        this.warnedCompat.add(name);
        this.out.notes.push({
          file: this.input.file,
          line,
          message: `"${name}" is an x86 ${multiplexer} subcall: counted as ${multiplexer}`,
        });
      }
      this.out.add(multiplexer, 'x86', { file: this.input.file, line }, count, failed, undefined);
      return;
    }
    const resolved = this.resolveArch(name, arch, line);
    if (!resolved) return;
    this.out.add(name, resolved, { file: this.input.file, line }, count, failed, arg);
  }

  /**
   * The personality a name belongs to. strace writes "[ Process PID=N runs in 32 bit mode. ]" to stderr
   * only, never into an `-o` file, so a name of the family's other personality is accepted (with a note)
   * rather than rejected.
   */
  private resolveArch(name: string, arch: Arch, line: number): Arch | undefined {
    if (name in this.options.tables[arch].syscalls) return arch;
    const family = FAMILIES[familyOf(arch)];
    const other = arch === family.primary ? family.compat : family.primary;
    if (name in this.options.tables[other].syscalls) {
      if (!this.warnedCompat.has(name)) {
        this.warnedCompat.add(name);
        this.out.notes.push({
          file: this.input.file,
          line,
          message: `"${name}" is a ${other} system call, not ${arch}: counted for ${other} (strace -o files do not record a process's switch to 32-bit mode)`,
        });
      }
      return other;
    }
    const hint = name.startsWith('syscall_') ? ' (strace did not know its number either)' : '';
    this.error(line, `unknown system call "${name}" for ${arch} and ${other}${hint}`);
    return undefined;
  }
}

class Accumulator {
  readonly byName = new Map<string, ObservedSyscall>();
  readonly errors: StraceProblem[] = [];
  readonly notes: StraceProblem[] = [];
  callLines = 0;

  add(
    name: string,
    arch: Arch,
    at: SourceLine,
    count: number,
    failed: number,
    arg: string | undefined,
  ): void {
    this.callLines++;
    let entry = this.byName.get(name);
    if (!entry) {
      entry = { name, count: 0, failed: 0, arches: [], first: at, argSamples: [] };
      this.byName.set(name, entry);
    }
    entry.count += count;
    entry.failed += failed;
    if (!entry.arches.includes(arch)) entry.arches.push(arch);
    if (arg !== undefined && entry.argSamples.length < MAX_ARG_SAMPLES && !entry.argSamples.includes(arg))
      entry.argSamples.push(arg);
  }

  markFailed(name: string): void {
    const entry = this.byName.get(name);
    if (entry) entry.failed++;
  }
}

/** clone's flags (`flags=A|B` or clone3's `{flags=A|B, ...}`), or the first argument of the others. */
function argumentOf(name: string, line: string): string | undefined {
  const open = line.indexOf('(');
  const args = line.slice(open + 1);
  if (name === 'clone' || name === 'clone3') {
    const flags = /flags=([A-Za-z0-9_|]+)/.exec(args);
    return flags ? (flags[1] as string) : '';
  }
  const first = /^([^,)]*)/.exec(args);
  return first ? (first[1] as string).trim() : undefined;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * A parser fed line by line, so that a trace of any length is read in bounded memory: `file()` for each
 * input, `line()` for each of its lines, `end()` after its last, then `result()`.
 */
export class StraceParser {
  private readonly out = new Accumulator();
  private readonly options: StraceOptions;

  constructor(options: StraceOptions) {
    this.options = options;
  }

  file(source: StraceSource): { line(text: string): void; end(): void } {
    const reader = new Reader(source, this.options, this.out);
    return { line: (text) => reader.push(text), end: () => reader.end() };
  }

  result(): StraceResult {
    const out = this.out;
    const syscalls = [...out.byName.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const s of syscalls) s.arches.sort();
    return { syscalls, errors: out.errors, notes: out.notes, callLines: out.callLines };
  }
}

/** The calls of whole files' texts. */
export function parseStrace(files: readonly StraceFile[], options: StraceOptions): StraceResult {
  const parser = new StraceParser(options);
  for (const { text, ...source } of files) {
    const reader = parser.file(source);
    let start = 0;
    while (start < text.length) {
      const end = text.indexOf('\n', start);
      reader.line(text.slice(start, end === -1 ? text.length : end));
      if (end === -1) break;
      start = end + 1;
    }
    reader.end();
  }
  return parser.result();
}

/** The pid of an `-ff -o PREFIX` file name (PREFIX.1234), if it is one. */
export function pidOfFileName(fileName: string): number | undefined {
  const match = /\.(\d+)$/.exec(fileName);
  return match ? Number(match[1]) : undefined;
}
