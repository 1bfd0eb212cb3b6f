import { spawn } from 'node:child_process';

/** Why no browser can open here, or undefined: a Linux/BSD machine with no display has none. */
export function headlessReason(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (platform === 'darwin' || platform === 'win32') return undefined;
  if (env['DISPLAY'] || env['WAYLAND_DISPLAY']) return undefined;
  return 'no display: DISPLAY and WAYLAND_DISPLAY are unset';
}

export function defaultOpener(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin' ? 'open' : platform === 'win32' ? 'explorer' : 'xdg-open';
}

export interface OpenOptions {
  readonly opener?: string;
  readonly platform?: NodeJS.Platform;
  readonly env?: NodeJS.ProcessEnv;
  /** An opener still running after this long is taken to have opened the page (some wait for the browser). */
  readonly settleMs?: number;
}

/**
 * Opens a file in the browser. Resolves to undefined once the opener succeeded (or is still running after
 * `settleMs`), else to the reason it could not: no display, no opener, or the opener failed.
 */
export function openInBrowser(path: string, options: OpenOptions = {}): Promise<string | undefined> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const headless = options.opener ? undefined : headlessReason(platform, env);
  if (headless) return Promise.resolve(headless);
  const opener = options.opener ?? defaultOpener(platform);
  return new Promise((resolve) => {
    const child = spawn(opener, [path], { stdio: 'ignore', detached: true, env });
    const timer = setTimeout(() => {
      child.unref();
      resolve(undefined);
    }, options.settleMs ?? 3000);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve(`could not start ${opener}: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // explorer.exe exits 1 even when it opened the file.
      resolve(
        code === 0 || platform === 'win32' ? undefined : `${opener} failed (${signal ?? `exit ${code}`})`,
      );
    });
  });
}
