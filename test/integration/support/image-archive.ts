// A docker-archive tarball (what hack/image/build.sh writes and `ctr images import` reads) unpacked the way
// a container runtime unpacks it: the layers in order into one root filesystem, whiteouts (`.wh.NAME`
// deletes NAME from the layers below, `.wh..wh..opq` empties its directory) applied, and the image config
// (user, entrypoint, cmd, env, working directory) as the runtime reads it. Only GNU tar is used.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';

export interface ImageConfig {
  readonly user: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly env: readonly string[];
  readonly workdir: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface UnpackedImage {
  readonly rootfs: string;
  readonly repoTags: readonly string[];
  readonly layers: number;
  readonly config: ImageConfig;
}

interface ArchiveManifest {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

interface ConfigFile {
  config?: {
    User?: string;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Env?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
  };
}

/** Unpacks `archive` into `dir` (dir/archive holds the archive's files, dir/rootfs the filesystem). */
export function unpackDockerArchive(archive: string, dir: string): UnpackedImage {
  const files = join(dir, 'archive');
  const rootfs = join(dir, 'rootfs');
  mkdirSync(files, { recursive: true });
  mkdirSync(rootfs, { recursive: true });
  execFileSync('tar', ['-xf', archive, '-C', files]);
  const manifests = JSON.parse(readFileSync(join(files, 'manifest.json'), 'utf8')) as ArchiveManifest[];
  if (manifests.length !== 1)
    throw new Error(`${archive}: manifest.json lists ${manifests.length} images, expected one`);
  const manifest = manifests[0]!;
  for (const layer of manifest.Layers) applyLayer(join(files, layer), rootfs);
  const config = (JSON.parse(readFileSync(join(files, manifest.Config), 'utf8')) as ConfigFile).config ?? {};
  return {
    rootfs,
    repoTags: manifest.RepoTags ?? [],
    layers: manifest.Layers.length,
    config: {
      user: config.User ?? '',
      entrypoint: config.Entrypoint ?? [],
      cmd: config.Cmd ?? [],
      env: config.Env ?? [],
      workdir: config.WorkingDir || '/',
      labels: config.Labels ?? {},
    },
  };
}

function applyLayer(layer: string, rootfs: string): void {
  const members = execFileSync('tar', ['-tf', layer], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    .split('\n')
    .filter(Boolean)
    .map((m) => posix.normalize(m.replace(/^\.?\//, '')));
  for (const member of members) {
    const base = posix.basename(member);
    if (!base.startsWith('.wh.')) continue;
    if (member.split('/').includes('..')) throw new Error(`${layer}: whiteout ${member} leaves the rootfs`);
    const parent = join(rootfs, posix.dirname(member));
    if (base === '.wh..wh..opq') {
      for (const entry of safeReaddir(parent)) rmSync(join(parent, entry), { recursive: true, force: true });
    } else {
      rmSync(join(parent, base.slice('.wh.'.length)), { recursive: true, force: true });
    }
  }
  // Owners and modes as the layer records them (the runtime runs as root too); whiteouts are not files.
  const extracted = spawnSync(
    'tar',
    ['-xf', layer, '-C', rootfs, '--same-owner', '--same-permissions', '--numeric-owner', '--exclude=.wh.*'],
    { encoding: 'utf8' },
  );
  if (extracted.status !== 0) throw new Error(`${layer}: tar -x failed: ${extracted.stderr}`);
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return []; // a whiteout for a directory no lower layer has
  }
}
