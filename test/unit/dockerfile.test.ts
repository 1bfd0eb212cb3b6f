/** The Dockerfile's shape: what the runtime image holds, who it runs as, and how it starts. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { projectRoot } from '../../src/version.ts';
import {
  copiesOf,
  findStage,
  globalArgs,
  isIgnored,
  lastOf,
  parseDockerfile,
  parseDockerignore,
  workdirOf,
  type Stage,
} from '../support/dockerfile.ts';

const root = projectRoot();
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const final = stages.at(-1)!;
const ignore = parseDockerignore(readFileSync(join(root, '.dockerignore'), 'utf8'));
const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.text);

describe('Dockerfile', () => {
  it('runs on distroless Node.js 24 (no shell, no package manager); the build stages on node:24', () => {
    // The defaults of the build arguments: what a plain `docker build .` (the release) uses.
    expect(final.base).toMatch(/^gcr\.io\/distroless\/nodejs24-debian\d+:nonroot$/);
    for (const stage of stages.slice(0, -1)) expect(stage.base).toMatch(/^node:24[-.\w]*$/);
    // The build stages and the runtime come from the same Debian release (trixie = Debian 13).
    const debian = /debian(\d+)/.exec(final.base)![1];
    for (const stage of stages.slice(0, -1))
      expect(stage.base).toContain({ '12': 'bookworm', '13': 'trixie' }[debian!] ?? `debian${debian}`);
  });

  it('every base is a build argument with the release base as its default, and the offline build sets each', () => {
    const args = globalArgs(dockerfile);
    const baseOf = (stage: (typeof stages)[number]) => /^\$\{(\w+)\}$/.exec(stage.baseWritten)?.[1];
    for (const stage of stages)
      expect(baseOf(stage), `FROM ${stage.baseWritten} (stage ${stage.name ?? stage.index})`).toBeDefined();
    // One argument for both Node.js build stages, another for the runtime.
    const build = new Set(stages.slice(0, -1).map(baseOf));
    expect(build.size).toBe(1);
    expect(build.has(baseOf(final))).toBe(false);
    expect(args.map((a) => a.name).sort()).toEqual([...build, baseOf(final)].sort());
    for (const arg of args) expect(arg.default, `ARG ${arg.name}`).not.toBeNull();

    const overridden = parseDockerfile(
      dockerfile,
      Object.fromEntries(args.map((a) => [a.name, `localhost/stand-in/${a.name.toLowerCase()}:1`])),
    );
    expect(overridden.map((s) => s.base)).toEqual(
      stages.map((s) => `localhost/stand-in/${baseOf(s)!.toLowerCase()}:1`),
    );
    // hack/image/build.sh (make image-offline) replaces every base: nothing is pulled from a registry.
    const script = readFileSync(join(root, 'hack/image/build.sh'), 'utf8');
    for (const arg of args) expect(script).toMatch(new RegExp(`--build-arg "?${arg.name}=`));
    expect(script).toMatch(/--pull=never/);
  });

  it('the final stage runs nothing at build time; an exec-form ENTRYPOINT runs the CLI, CMD `operator`', () => {
    expect(final.instructions.filter((i) => i.keyword === 'RUN' || i.keyword === 'ADD')).toEqual([]);
    const entrypoint = lastOf(final, 'ENTRYPOINT');
    expect(
      entrypoint?.exec,
      'ENTRYPOINT must be a JSON array: no /bin/sh -c (there is none in distroless)',
    ).not.toBeNull();
    // An absolute script path: `docker run -w /work IMAGE scan .` must still find it.
    expect(entrypoint!.exec).toEqual(['/nodejs/bin/node', '/app/dist/src/cli/main.js']);
    expect(workdirOf(final)).toBe('/app');
    expect(existsSync(join(root, 'src/cli/main.ts'))).toBe(true);
    // The subcommand is CMD, so that `docker run IMAGE scan /work` replaces it (docs/ci.md).
    const cmd = lastOf(final, 'CMD');
    expect(cmd?.exec).toEqual(['operator']);
  });

  it('the Deployment starts the operator through the args that replace CMD, keeping the ENTRYPOINT', () => {
    const deployment = parseDocument(
      readFileSync(join(root, 'manifests/deployment.yaml'), 'utf8'),
    ).toJS() as {
      spec: { template: { spec: { containers: { command?: string[]; args?: string[] }[] } } };
    };
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.command).toBeUndefined();
    expect(container.args?.[0]).toBe('operator');
    expect(container.args).toContain('--config');
  });

  it('`docker run IMAGE scan /work` and the CI recipe run the scan command of the same image', () => {
    const argv = [...lastOf(final, 'ENTRYPOINT')!.exec!, 'scan', '/work'];
    expect(argv).toEqual(['/nodejs/bin/node', '/app/dist/src/cli/main.js', 'scan', '/work']);
    const ci = readFileSync(join(root, 'docs/ci.md'), 'utf8');
    expect(ci).toMatch(/docker run --rm[^\n]*-v "\$PWD:\/work"[^\n]*-w \/work[^\n]* scan /);
  });

  it('runs as a numeric non-root user, the one the Deployment names', () => {
    const user = lastOf(final, 'USER')?.text ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    const [uid, gid] = user.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    const deployment = parseDocument(
      readFileSync(join(root, 'manifests/deployment.yaml'), 'utf8'),
    ).toJS() as {
      spec: {
        template: {
          spec: {
            securityContext: { runAsUser: number; runAsGroup: number };
            containers: { ports: { containerPort: number }[] }[];
          };
        };
      };
    };
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsUser).toBe(uid);
    if (gid !== undefined) expect(pod.securityContext.runAsGroup).toBe(gid);
    expect(lastOf(final, 'EXPOSE')?.text).toBe(String(pod.containers[0]!.ports[0]!.containerPort));
  });

  it('copies only package.json, templates/, the production node_modules and the compiled dist/src', () => {
    const copies = copiesOf(final);
    expect(copies.flatMap((c) => c.targets.map((t) => t.target)).sort()).toEqual([
      '/app/dist/src',
      '/app/node_modules',
      '/app/package.json',
      '/app/templates',
    ]);
    const byDestination = (d: string) => copies.find((c) => c.targets.some((t) => t.target === d))!;

    const modules = byDestination('/app/node_modules');
    const deps = findStage(stages, modules.from!);
    expect(runs(deps).some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(runs(deps).some((r) => /npm (run|install|i)\b/.test(r))).toBe(false);
    expect(modules.sources).toEqual([`${workdirOf(deps)}/node_modules`]);

    const dist = byDestination('/app/dist/src');
    const build = findStage(stages, dist.from!);
    expect(runs(build)).toContain('npm run build');
    expect(dist.sources).toEqual([`${workdirOf(build)}/dist/src`]);

    expect(byDestination('/app/package.json')).toMatchObject({ from: null, sources: ['package.json'] });
    expect(byDestination('/app/templates')).toMatchObject({ from: null, sources: ['templates'] });
  });

  it('files are owned by root in the image: the operator cannot change its own code', () => {
    for (const copy of copiesOf(final))
      expect(final.instructions.find((i) => i.line === copy.line)!.flags['chown']).toBeUndefined();
  });
});

describe('.dockerignore', () => {
  it('keeps everything every stage copies from the context', () => {
    for (const stage of stages) {
      for (const copy of copiesOf(stage).filter((c) => c.from === null)) {
        for (const source of copy.sources) {
          expect(existsSync(join(root, source)), `${source} (Dockerfile line ${copy.line})`).toBe(true);
          expect(isIgnored(ignore, source), `${source} is copied but ignored`).toBe(false);
        }
      }
    }
    expect(isIgnored(ignore, 'src/cli/main.ts')).toBe(false);
    expect(isIgnored(ignore, 'templates/partials/finding.hbs')).toBe(false);
  });

  it('leaves out local build output, dependencies, state and tests', () => {
    for (const path of [
      'node_modules/yaml/package.json',
      'dist/src/cli/main.js',
      '.git/config',
      '.cache/node/bin/node',
      '.testenv/state.json',
      'demo-output/report.html',
      'test/unit/cli.test.ts',
      'src/engine/engine.test.ts',
      'bench/run.ts',
      'docs/rules.md',
      'Dockerfile',
    ]) {
      expect(isIgnored(ignore, path), path).toBe(true);
    }
  });
});
