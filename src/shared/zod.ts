/**
 * zod for every schema of src/ (import `z` from here, not from 'zod'): configured before any schema is
 * built, because zod reads its settings when a schema is constructed.
 *
 * jitless: zod compiles a fast path for each object schema with `new Function` on its first parse. That
 * compiling was about 10 ms of a one-file scan's 110 (issue 17), and measured no faster on the
 * 10,000-workload scan (4.2 s with it off, 4.5 s with it on, same run): the inputs are decoded once, so
 * the compiled path never pays back. It also keeps eval out of the process.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
