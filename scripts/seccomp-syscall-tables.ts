// Writes src/seccomp/data/syscalls/<arch>.json from the syscall numbers that golang.org/x/sys/unix
// generates from the kernel's headers (zsysnum_linux_<goarch>.go), at the x/sys version that
// hack/testbin/seccomp-defaults/go.mod pins. Run after changing that version:
//   node scripts/seccomp-syscall-tables.ts
// test/runtime/seccomp-defaults.test.ts regenerates the tables the same way and fails when they differ.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../src/version.ts';
import { SYSCALL_TABLE_ARCHES, type SyscallTable } from '../src/seccomp/arch.ts';

export const SECCOMP_MODULE_DIR = join(projectRoot(), 'hack/testbin/seccomp-defaults');

/** The numbers of a zsysnum_linux_*.go file, by syscall name (`SYS__LLSEEK` is `_llseek`). */
export function parseZsysnum(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const match of text.matchAll(/^\s*SYS_([A-Z0-9_]+)\s*=\s*(\d+)\s*$/gm)) {
    out[(match[1] as string).toLowerCase()] = Number(match[2]);
  }
  return out;
}

/** Reads the pinned x/sys from the Go module cache (downloading it through `go mod download`). */
export async function buildSyscallTables(goBin = 'go'): Promise<Record<string, SyscallTable>> {
  const listed = execFileSync(goBin, ['mod', 'download', '-json', 'golang.org/x/sys'], {
    cwd: SECCOMP_MODULE_DIR,
    encoding: 'utf8',
    env: { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=mod' },
  });
  const info = JSON.parse(listed) as { Dir: string; Version: string };
  const tables: Record<string, SyscallTable> = {};
  for (const [arch, goarch] of Object.entries(SYSCALL_TABLE_ARCHES)) {
    const file = `unix/zsysnum_linux_${goarch}.go`;
    const numbers = parseZsysnum(await readFile(join(info.Dir, file), 'utf8'));
    const sorted = Object.fromEntries(Object.entries(numbers).sort(([a], [b]) => a.localeCompare(b)));
    tables[arch] = {
      arch,
      source: { module: 'golang.org/x/sys', version: info.Version, file },
      syscalls: sorted,
    };
  }
  return tables;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tables = await buildSyscallTables(process.env.GO ?? 'go');
  for (const [arch, table] of Object.entries(tables)) {
    const file = join(projectRoot(), 'src/seccomp/data/syscalls', `${arch}.json`);
    await writeFile(file, `${JSON.stringify(table, null, 2)}\n`);
    console.log(`wrote ${file} (${Object.keys(table.syscalls).length} system calls)`);
  }
}
