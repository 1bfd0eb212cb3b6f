/**
 * A reader that stops early (`kube-patrol scan -o json | head`) closes the pipe under us. That is the
 * reader's choice, not a failure of the scan: the writer ends at once, quietly, with status 0 — not with a
 * stack trace and not with 1, which CI would read as "findings found".
 */
export function isBrokenPipe(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/** Ends the process with status 0 when stdout's reader goes away; other stream errors stay errors. */
export function endQuietlyOnBrokenPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (error) => {
    if (isBrokenPipe(error)) process.exit(0);
    throw error;
  });
}
