import { writeError } from './options.ts';
import { endQuietlyOnBrokenPipe, isBrokenPipe } from './pipe.ts';
import { buildProgram } from './program.ts';

endQuietlyOnBrokenPipe();
buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (isBrokenPipe(error)) process.exit(0);
    writeError(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  });
