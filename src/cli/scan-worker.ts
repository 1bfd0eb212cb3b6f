// The entry of a scan worker thread (src/pipeline/parallel-scan.ts starts it): the composition root of a
// worker, as program.ts is of the CLI. Kept apart and small so a bundled CLI can ship it as a second entry
// beside the main one; scan.ts finds it next to itself (scanWorkerEntry).
import { createRegistry } from '../engine/registry.ts';
import { serveScanWorker } from '../pipeline/parallel-worker.ts';
import { resolveSettings } from '../pipeline/settings.ts';
import { ALL_RULES } from '../rules/index.ts';

// No top-level await: the bundle ships this entry as CommonJS (scripts/bundle.ts). A failure is rethrown
// as the thread's uncaught exception, which the parent sees as the worker's 'error' event.
serveScanWorker((recipe) =>
  resolveSettings(createRegistry(ALL_RULES), recipe.config, recipe.flags, recipe.now),
).catch((error: unknown) => {
  process.nextTick(() => {
    throw error;
  });
});
