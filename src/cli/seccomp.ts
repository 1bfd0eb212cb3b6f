import { createReadStream } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { Arch } from '../seccomp/arch.ts';
import type { RuntimeName } from '../seccomp/data.ts';
import type { ProfileMode } from '../seccomp/profile.ts';
import { RUNTIME_DEFAULT_CAPABILITIES, normalizeCapability } from '../seccomp/runtime-default.ts';
import type { StraceResult, StraceSource } from '../seccomp/strace.ts';
import { writeStdout } from './options.ts';

export interface TraceOptions {
  fromStrace: string[];
  arch?: string;
}

export interface ProfileFlags extends TraceOptions {
  output: 'json' | 'spo' | 'patch';
  mode: ProfileMode;
  outDir?: string;
  name: string;
  namespace?: string;
}

export interface CheckFlags extends TraceOptions {
  capabilities?: string;
  runtime: RuntimeName;
  output: 'text' | 'json';
}

class InputError extends Error {}

// The syscall tables and default profiles are ~100 KiB of JSON: loaded when a seccomp command runs, not on
// every start of the CLI.
async function load() {
  const [arch, data, profile, runtimeDefault, strace] = await Promise.all([
    import('../seccomp/arch.ts'),
    import('../seccomp/data.ts'),
    import('../seccomp/profile.ts'),
    import('../seccomp/runtime-default.ts'),
    import('../seccomp/strace.ts'),
  ]);
  return { ...arch, ...data, ...profile, ...runtimeDefault, ...strace };
}

/**
 * The files of the traces: a file; a directory (every file in it, as `strace -ff -o DIR/trace` leaves
 * them); or the PREFIX given to `strace -ff -o PREFIX` (its PREFIX.PID files).
 */
export async function findStraceInputs(paths: readonly string[]): Promise<StraceSource[]> {
  const { pidOfFileName } = await import('../seccomp/strace.ts');
  const sources: StraceSource[] = [];
  const add = (file: string) => {
    const pid = pidOfFileName(basename(file));
    sources.push(pid === undefined ? { file } : { file, pid });
  };
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      const names = (await readdir(path, { withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => e.name);
      if (names.length === 0) throw new InputError(`${path}: an empty directory`);
      for (const name of names.sort()) add(join(path, name));
    } else if (info) {
      add(path);
    } else {
      const prefix = basename(path);
      const dir = dirname(path);
      const names = await readdir(dir).catch(() => [] as string[]);
      const matching = names
        .filter((n) => n.startsWith(`${prefix}.`) && pidOfFileName(n) !== undefined)
        .sort();
      if (matching.length === 0)
        throw new InputError(`${path}: no such file, directory or strace -ff prefix`);
      for (const name of matching) add(join(dir, name));
    }
  }
  return sources;
}

async function readTraces(options: TraceOptions): Promise<{ arch: Arch; trace: StraceResult }> {
  const { archOfNode, parseArch, StraceParser, SYSCALL_TABLES } = await load();
  const arch = options.arch ? parseArch(options.arch) : archOfNode(process.arch);
  const parser = new StraceParser({ arch, tables: SYSCALL_TABLES });
  // Line by line: a trace of a long run can be larger than the memory a string may take.
  for (const source of await findStraceInputs(options.fromStrace)) {
    const reader = parser.file(source);
    const lines = createInterface({ input: createReadStream(source.file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) reader.line(line);
    reader.end();
  }
  const trace = parser.result();
  for (const note of trace.notes) process.stderr.write(`note: ${note.file}:${note.line}: ${note.message}\n`);
  if (trace.errors.length > 0) {
    for (const e of trace.errors) process.stderr.write(`kube-patrol: ${e.file}:${e.line}: ${e.message}\n`);
    throw new InputError(`${trace.errors.length} problem(s) in the strace output: nothing written`);
  }
  if (trace.syscalls.length === 0) throw new InputError('the strace output shows no system call');
  return { arch, trace };
}

async function handled(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof InputError || (error instanceof Error && 'code' in error)) {
      process.stderr.write(`kube-patrol: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function runProfile(flags: ProfileFlags): Promise<number> {
  const { isValidProfileName } = await load();
  if (!isValidProfileName(flags.name))
    throw new InputError(`--name "${flags.name}": use lower-case letters, digits, "-" and "."`);
  const { arch, trace } = await readTraces(flags);
  const {
    BASE_SET,
    SYSCALL_TABLES,
    buildProfile,
    familyOf,
    installReadme,
    localhostProfilePath,
    seccompPatch,
    spoLocalhostProfilePath,
    toSeccompProfileObject,
  } = await load();
  const family = familyOf(arch);
  const build = (mode: ProfileMode) =>
    buildProfile({
      observed: trace.syscalls.map((s) => s.name),
      family,
      mode,
      baseSet: BASE_SET,
      tables: SYSCALL_TABLES,
    });
  const built = build(flags.mode);
  const localhost = flags.namespace
    ? spoLocalhostProfilePath(flags.name, flags.namespace)
    : localhostProfilePath(flags.name);
  const spoOptions = flags.namespace
    ? { name: flags.name, namespace: flags.namespace }
    : { name: flags.name };
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

  if (flags.outDir) {
    const files = {
      profile: `${flags.name}.json`,
      logProfile: `${flags.name}.log.json`,
      spo: `${flags.name}.seccompprofile.yaml`,
      patch: `${flags.name}.patch.yaml`,
    };
    const enforce = flags.mode === 'enforce' ? built : build('enforce');
    await mkdir(flags.outDir, { recursive: true });
    await writeFile(join(flags.outDir, files.profile), json(enforce.profile));
    await writeFile(join(flags.outDir, files.logProfile), json(build('log').profile));
    await writeFile(
      join(flags.outDir, files.spo),
      stringify(toSeccompProfileObject(enforce.profile, spoOptions)),
    );
    await writeFile(join(flags.outDir, files.patch), stringify(seccompPatch(localhost)));
    const readme = installReadme({
      name: flags.name,
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      files,
      observedCount: trace.syscalls.length,
      addedFromBaseSet: enforce.addedFromBaseSet,
      sources: flags.fromStrace,
    });
    await writeFile(join(flags.outDir, 'README.md'), readme);
    process.stderr.write(
      `wrote ${Object.values(files).join(', ')} and README.md to ${flags.outDir} ` +
        `(${trace.syscalls.length} observed + ${enforce.addedFromBaseSet.length} base-set system calls)\n`,
    );
    return 0;
  }
  if (flags.output === 'spo') await writeStdout(stringify(toSeccompProfileObject(built.profile, spoOptions)));
  else if (flags.output === 'patch') await writeStdout(stringify(seccompPatch(localhost)));
  else await writeStdout(json(built.profile));
  return 0;
}

function parseCapabilities(value: string | undefined): string[] {
  if (value === undefined) return [...RUNTIME_DEFAULT_CAPABILITIES];
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'none') return [];
  return trimmed.split(',').map(normalizeCapability);
}

async function runCheck(flags: CheckFlags): Promise<number> {
  const { arch, trace } = await readTraces(flags);
  const { RUNTIME_DEFAULTS, checkAgainstRuntimeDefault, familyOf, materializeRuntimeDefault } = await load();
  const capabilities = parseCapabilities(flags.capabilities);
  const upstream = RUNTIME_DEFAULTS[flags.runtime];
  let materialized;
  try {
    materialized = materializeRuntimeDefault(upstream, capabilities, familyOf(arch));
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  const result = checkAgainstRuntimeDefault(materialized, trace.syscalls);
  const enough = result.runtimeDefaultEnough;
  const verdict = enough
    ? 'RuntimeDefault is enough: use it'
    : `RuntimeDefault denies ${result.deniedByRuntimeDefault.join(', ')}: use a Localhost profile`;
  if (flags.output === 'json') {
    await writeStdout(
      `${JSON.stringify(
        {
          ...result,
          verdict,
          runtime: { name: flags.runtime, module: upstream.module, version: upstream.version },
          capabilities,
          arch,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const lines = [
      `${verdict}.`,
      `(${trace.syscalls.length} system calls observed; ${flags.runtime}'s default profile from ${upstream.module} ${upstream.version}; capabilities: ${capabilities.length > 0 ? capabilities.join(',') : 'none'})`,
    ];
    for (const d of result.denied) lines.push(`  denied: ${d.name} (${d.why})`);
    for (const e of result.enosys)
      lines.push(`  answered ENOSYS: ${e} (libc falls back to an older call; not a denial)`);
    for (const c of result.conditional)
      lines.push(
        `  allowed only when ${c.condition}: ${c.name}${c.seen === 'allowed' ? ' (the traced arguments pass)' : ' (check the arguments)'}`,
      );
    if (!enough)
      lines.push(
        `Generate one: kube-patrol seccomp profile --from-strace ${flags.fromStrace.join(' ')} --out-dir seccomp/`,
      );
    await writeStdout(`${lines.join('\n')}\n`);
  }
  return enough ? 0 : 1;
}

/** `seccomp profile`: the exit status (2 for unreadable or unusable traces). */
export function seccompProfile(flags: ProfileFlags): Promise<number> {
  return handled(() => runProfile(flags));
}

/** `seccomp check`: the exit status (1 when RuntimeDefault would deny a call, 2 for bad input). */
export function seccompCheck(flags: CheckFlags): Promise<number> {
  return handled(() => runCheck(flags));
}
