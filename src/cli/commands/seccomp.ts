import { InvalidArgumentError, type Command } from 'commander';
import { RUNTIME_DEFAULT_CAPABILITIES } from '../../seccomp/runtime-default.ts';
import type { CheckFlags, ProfileFlags } from '../seccomp.ts';

function choice<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!(values as readonly string[]).includes(value))
      throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
    return value as T;
  };
}

export function registerSeccompCommand(program: Command): void {
  const seccomp = program
    .command('seccomp')
    .description('seccomp profiles from traced system calls, and whether RuntimeDefault is enough');
  seccomp
    .command('profile')
    .description(
      'write a seccomp profile (OCI JSON, SPO SeccompProfile, or the securityContext patch) from strace output',
    )
    .requiredOption(
      '--from-strace <files...>',
      'strace output: files, directories, or the prefix given to strace -ff -o',
    )
    .option(
      '-o, --output <format>',
      'json (OCI profile), spo (SeccompProfile), patch',
      choice(['json', 'spo', 'patch'] as const),
      'json',
    )
    .option(
      '--mode <mode>',
      'enforce (deny the rest with EPERM) or log (log the rest: a trial)',
      choice(['enforce', 'log'] as const),
      'enforce',
    )
    .option('--out-dir <dir>', 'write all three and a README on installing the profile')
    .option('--name <name>', 'profile name (file name, SeccompProfile name)', 'app')
    .option(
      '--namespace <ns>',
      'the SeccompProfile namespace (the patch then points at the file SPO installs)',
    )
    .option('--arch <arch>', "the traced program's architecture (default: this machine's)")
    .action(async (flags: ProfileFlags) => {
      const { seccompProfile } = await import('../seccomp.ts');
      process.exitCode = await seccompProfile(flags);
    });
  seccomp
    .command('check')
    .description("which observed system calls the runtime's default profile (RuntimeDefault) would deny")
    .requiredOption(
      '--from-strace <files...>',
      'strace output: files, directories, or the prefix given to strace -ff -o',
    )
    .option(
      '--capabilities <caps>',
      `the container's capabilities, comma-separated, or "none" (default: the runtime's ${RUNTIME_DEFAULT_CAPABILITIES.length})`,
    )
    .option(
      '--runtime <name>',
      'containerd or docker',
      choice(['containerd', 'docker'] as const),
      'containerd',
    )
    .option('-o, --output <format>', 'text or json', choice(['text', 'json'] as const), 'text')
    .option('--arch <arch>', "the traced program's architecture (default: this machine's)")
    .action(async (flags: CheckFlags) => {
      const { seccompCheck } = await import('../seccomp.ts');
      process.exitCode = await seccompCheck(flags);
    });
}
