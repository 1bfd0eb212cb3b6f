/**
 * Loaded with `node --import` into a CLI process by test/unit/cli-startup.test.ts: writes every module
 * the process resolved (import and require, ours and node_modules'), one URL a line, to the file named
 * by KUBE_PATROL_RECORD_MODULES when the process exits.
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env['KUBE_PATROL_RECORD_MODULES'];
const seen = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    seen.add(resolved.url);
    return resolved;
  },
});
process.on('exit', () => {
  if (out) writeFileSync(out, [...seen].join('\n') + '\n');
});
