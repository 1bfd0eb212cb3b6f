/**
 * Loaded with `node --import` into a CLI process by test/unit/cli-startup.test.ts: writes every module
 * the process resolved (import and require, ours and node_modules'), one URL a line, to the file named
 * by KUBE_PATROL_RECORD_MODULES when the process exits. The bundle's chunks, which its loader compiles
 * as vm.Scripts (src/cli/code-cache.ts), are recorded from the Script's filename.
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

const out = process.env['KUBE_PATROL_RECORD_MODULES'];
const seen = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    seen.add(resolved.url);
    return resolved;
  },
});
const { Script } = vm;
vm.Script = class extends Script {
  constructor(code: string, options?: vm.ScriptOptions | string) {
    super(code, options);
    const filename = typeof options === 'string' ? options : options?.filename;
    if (filename?.endsWith('.cjs')) seen.add(pathToFileURL(filename).href);
  }
};
process.on('exit', () => {
  if (out) writeFileSync(out, [...seen].join('\n') + '\n');
});
