/**
 * The architecture holds by construction: the layer rule of eslint.layers.js fails on an upward import,
 * on I/O in the pure layers and on shipped code importing tests; the rule kit rejects what ESLint's
 * RuleTester rejects (duplicate cases, unexercised messages, rules that mutate their input).
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { defineRule } from '../../src/engine/rule.ts';
import { projectRoot } from '../../src/version.ts';
import { checkCaseTable, nestPodSpec, runRule } from '../support/rule-kit.ts';

async function lintAs(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: projectRoot() });
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layers (eslint.layers.js)', () => {
  it('fails on a planted upward import', async () => {
    const messages = await lintAs(
      'src/engine/planted.ts',
      "import type { InspectionReport } from '../report/model.ts';\nexport type X = InspectionReport;\n",
    );
    expect(messages).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*src\/engine may not import from src\/report/),
    ]);
  });

  it('fails on a sideways import between layers that may not know each other', async () => {
    const messages = await lintAs(
      'src/report/render/planted.ts',
      "import { writeReportFiles } from '../../sinks/files.ts';\nexport const w = writeReportFiles;\n",
    );
    expect(messages.join('\n')).toMatch(/src\/report may not import from src\/sinks/);
  });

  it('allows a downward import', async () => {
    const messages = await lintAs(
      'src/report/planted.ts',
      "import type { Finding } from '../engine/finding.ts';\nexport type X = Finding;\n",
    );
    expect(messages).toEqual([]);
  });

  it('keeps the engine free of I/O and shipped code free of test support', async () => {
    const io = await lintAs(
      'src/engine/planted.ts',
      "import { readFileSync } from 'node:fs';\nreadFileSync('x');\n",
    );
    expect(io.join('\n')).toMatch(/src\/engine is pure: no I\/O module/);
    const kit = await lintAs(
      'src/rules/planted.ts',
      "import { runRule } from '../../test/support/rule-kit.ts';\nexport const r = runRule;\n",
    );
    expect(kit.join('\n')).toMatch(/may not import tests/);
    const vitest = await lintAs(
      'src/pipeline/planted.ts',
      "import { it } from 'vitest';\nexport const t = it;\n",
    );
    expect(vitest.join('\n')).toMatch(/may not import tests/);
  });
});

const docs = { why: { en: 'w', 'zh-CN': 'w' }, fix: { en: 'f', 'zh-CN': 'f' }, snippet: '', references: [] };
const twoMessages = defineRule({
  meta: {
    id: 'kit-test',
    subject: 'pod-spec',
    title: { en: 't', 'zh-CN': 't' },
    category: 'hardening',
    severity: 'low',
    pss: null,
    messages: { one: { en: '1', 'zh-CN': '1' }, two: { en: '2', 'zh-CN': '2' } },
    docs,
  },
  check(context) {
    if (context.podSpec.hostIPC)
      context.report({ messageId: 'one', path: [...context.podSpecPath, 'hostIPC'] });
  },
});

describe('rule kit', () => {
  const spec = { hostIPC: true, containers: [{ name: 'app', image: 'nginx:1.27' }] };

  it('rejects duplicate case names', () => {
    expect(() =>
      checkCaseTable(twoMessages, {
        valid: [{ name: 'same', podSpec: spec }],
        invalid: [
          { name: 'same', podSpec: spec, findings: [{ messageId: 'one', path: 'spec.hostIPC' }] },
          { name: 'other', podSpec: spec, findings: [{ messageId: 'two', path: 'spec.hostIPC' }] },
        ],
      }),
    ).toThrow(/two cases are named "same"/);
  });

  it('rejects a table that never expects one of the messages', () => {
    expect(() =>
      checkCaseTable(twoMessages, {
        valid: [],
        invalid: [{ name: 'a', podSpec: spec, findings: [{ messageId: 'one', path: 'spec.hostIPC' }] }],
      }),
    ).toThrow(/no invalid case expects message id\(s\) two/);
  });

  it('runs rules on frozen input, so a rule that mutates it fails', () => {
    const mutating = defineRule({
      ...twoMessages,
      check(context) {
        (context.podSpec as Record<string, unknown>)['hostIPC'] = false;
      },
    });
    expect(() => runRule(mutating, nestPodSpec('Pod', spec))).toThrow(/kit-test failed: .*read.only/i);
    expect(runRule(twoMessages, nestPodSpec('Pod', spec)).map((f) => f.messageId)).toEqual(['one']);
  });
});
