// A small reader of the Dockerfile and .dockerignore, enough for the tests to check the image's shape and
// to rebuild its final stage's file layout without Docker: stages, instructions (exec or shell form),
// COPY sources and flags, and the .dockerignore patterns with Docker's last-match-wins rule.

export interface Instruction {
  /** Upper-cased: FROM, RUN, COPY, ... */
  readonly keyword: string;
  /** `--from=build` → { from: 'build' } */
  readonly flags: Readonly<Record<string, string>>;
  /** The arguments after the flags, as written. */
  readonly text: string;
  /** The JSON array of an exec-form ENTRYPOINT/CMD/RUN, else null (shell form). */
  readonly exec: readonly string[] | null;
  readonly line: number;
}

export interface Stage {
  readonly index: number;
  /** The base image with the global ARGs (those before the first FROM) substituted. */
  readonly base: string;
  /** The base as the FROM line writes it, e.g. `${RUNTIME_BASE}`. */
  readonly baseWritten: string;
  readonly name: string | null;
  readonly instructions: readonly Instruction[];
}

/** The ARGs before the first FROM, the only ones a FROM line may use: name → default (null: none). */
export interface GlobalArg {
  readonly name: string;
  readonly default: string | null;
  readonly line: number;
}

/**
 * `buildArgs` are `--build-arg NAME=value`: they replace the defaults of the global ARGs in FROM lines, as
 * Docker and buildah do. A FROM that names an undeclared ARG, or one with no value, throws.
 */
export function parseDockerfile(text: string, buildArgs: Readonly<Record<string, string>> = {}): Stage[] {
  return parse(text, buildArgs).stages;
}

function parse(
  text: string,
  buildArgs: Readonly<Record<string, string>>,
): { stages: Stage[]; globals: Map<string, GlobalArg> } {
  const stages: {
    index: number;
    base: string;
    baseWritten: string;
    name: string | null;
    instructions: Instruction[];
  }[] = [];
  const globals = new Map<string, GlobalArg>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let logical = lines[i]!;
    if (/^\s*(#|$)/.test(logical)) continue;
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      logical = logical.replace(/\\\s*$/, ' ');
      i++;
      if (/^\s*#/.test(lines[i]!)) continue; // comment lines inside a continuation are dropped
      logical += lines[i]!;
    }
    const match = /^\s*(\w+)\s*(.*)$/.exec(logical);
    if (!match) throw new Error(`Dockerfile line ${startLine}: cannot parse "${logical}"`);
    const keyword = match[1]!.toUpperCase();
    let rest = match[2]!.trim();
    const flags: Record<string, string> = {};
    for (
      let flag = /^--([\w-]+)(?:=(\S+))?\s*/.exec(rest);
      flag;
      flag = /^--([\w-]+)(?:=(\S+))?\s*/.exec(rest)
    ) {
      flags[flag[1]!] = flag[2] ?? 'true';
      rest = rest.slice(flag[0].length);
    }
    let exec: string[] | null = null;
    if (rest.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(rest);
        if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) exec = parsed as string[];
      } catch {
        exec = null; // not valid JSON: Docker treats it as shell form too
      }
    }
    const instruction: Instruction = { keyword, flags, text: rest, exec, line: startLine };
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!from) throw new Error(`Dockerfile line ${startLine}: cannot parse FROM "${rest}"`);
      const base = from[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced?: string, bare?: string) => {
        const name = (braced ?? bare)!;
        const value = buildArgs[name] ?? globals.get(name)?.default;
        if (!globals.has(name))
          throw new Error(
            `Dockerfile line ${startLine}: FROM uses $${name}, not declared by an ARG before FROM`,
          );
        if (value === null || value === undefined)
          throw new Error(`Dockerfile line ${startLine}: ARG ${name} has no default and no --build-arg`);
        return value;
      });
      stages.push({
        index: stages.length,
        base,
        baseWritten: from[1]!,
        name: from[2] ?? null,
        instructions: [],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (keyword === 'ARG') {
        const arg = /^(\w+)(?:=(.*))?$/.exec(rest);
        if (!arg) throw new Error(`Dockerfile line ${startLine}: cannot parse ARG "${rest}"`);
        const value = arg[2]?.replace(/^"(.*)"$/, '$1') ?? null;
        globals.set(arg[1]!, { name: arg[1]!, default: value, line: startLine });
        continue;
      }
      throw new Error(`Dockerfile line ${startLine}: ${keyword} before the first FROM`);
    }
    stage.instructions.push(instruction);
  }
  if (stages.length === 0) throw new Error('Dockerfile has no FROM');
  return { stages, globals };
}

/** The ARGs declared before the first FROM, in order. */
export function globalArgs(text: string): GlobalArg[] {
  return [...parse(text, {}).globals.values()];
}

export function findStage(stages: readonly Stage[], ref: string): Stage {
  const stage = stages.find((s) => s.name === ref) ?? (/^\d+$/.test(ref) ? stages[Number(ref)] : undefined);
  if (!stage) throw new Error(`Dockerfile has no stage "${ref}"`);
  return stage;
}

/** The WORKDIR in force after the stage's last WORKDIR (absolute; relative ones join the previous). */
export function workdirOf(stage: Stage, upToLine = Infinity): string {
  let dir = '/';
  for (const instruction of stage.instructions) {
    if (instruction.line > upToLine) break;
    if (instruction.keyword === 'WORKDIR')
      dir = instruction.text.startsWith('/')
        ? instruction.text
        : `${dir.replace(/\/$/, '')}/${instruction.text}`;
  }
  return dir;
}

export interface CopyInstruction {
  readonly from: string | null;
  readonly sources: readonly string[];
  /** Absolute, resolved against the stage's WORKDIR; ends with '/' when it names a directory. */
  readonly destination: string;
  /** Where each source lands: inside `destination` when it ends with '/', else at `destination`. */
  readonly targets: readonly { readonly source: string; readonly target: string }[];
  readonly line: number;
}

/** The COPY/ADD instructions of a stage with their destinations made absolute. */
export function copiesOf(stage: Stage): CopyInstruction[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map((i) => {
      const words = i.exec ?? i.text.split(/\s+/);
      const destination = words.at(-1)!;
      const workdir = workdirOf(stage, i.line);
      const relative = destination === '.' ? './' : destination;
      const absolute = relative.startsWith('/')
        ? relative
        : `${workdir.replace(/\/$/, '')}/${relative.replace(/^\.\//, '')}`;
      const sources = words.slice(0, -1);
      const targets = sources.map((source) => ({
        source,
        target: absolute.endsWith('/')
          ? `${absolute}${source.replace(/\/+$/, '').split('/').at(-1)}`
          : absolute,
      }));
      return { from: i.flags['from'] ?? null, sources, destination: absolute, targets, line: i.line };
    });
}

/** Environment of a stage from its ENV instructions (`ENV A=1 B=2` and the legacy `ENV A 1`). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    if (!instruction.text.includes('=')) {
      const [key, ...value] = instruction.text.split(/\s+/);
      env[key!] = value.join(' ');
      continue;
    }
    for (const pair of instruction.text.match(/[\w.-]+=("[^"]*"|\S*)/g) ?? []) {
      const [key, ...value] = pair.split('=');
      env[key!] = value.join('=').replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

/** The last instruction of that keyword in a stage (what Docker uses for ENTRYPOINT, CMD, USER). */
export function lastOf(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1);
}

// ----------------------------------------------------------------------------------------------------
// .dockerignore

interface IgnorePattern {
  readonly negated: boolean;
  readonly regex: RegExp;
}

function globToRegex(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function parseDockerignore(text: string): IgnorePattern[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = (negated ? line.slice(1) : line).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { negated, regex: globToRegex(pattern) };
    });
}

/** Whether a context path (relative, '/'-separated) is left out of the build context. Last match wins; a
 * pattern that matches a parent directory matches everything below it. */
export function isIgnored(patterns: readonly IgnorePattern[], path: string): boolean {
  const parts = path.replace(/^\.\//, '').split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) if (prefixes.some((p) => pattern.regex.test(p))) ignored = !pattern.negated;
  return ignored;
}
