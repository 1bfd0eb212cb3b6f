#!/usr/bin/env node
import { buildProgram } from './program.ts';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`kube-patrol: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  });
