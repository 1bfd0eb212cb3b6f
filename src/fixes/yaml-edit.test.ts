import fc from 'fast-check';
import { Document, parse, parseAllDocuments, visit } from 'yaml';
import { describe, expect, it } from 'vitest';
import { applyPatch, type JsonObject } from '../engine/fix.ts';
import { editYamlText, type YamlEditTarget } from './yaml-edit.ts';

const target = (patch: JsonObject, over: Partial<YamlEditTarget> = {}): YamlEditTarget => ({
  line: 1,
  documentPath: [],
  kind: 'Deployment',
  name: 'web',
  patch,
  ...over,
});

function edit(text: string, targets: YamlEditTarget[]): string {
  const result = editYamlText(text, targets);
  if ('error' in result) throw new Error(result.error);
  return result.text;
}

const deployment = `# leading comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # the name
spec:
  template:
    metadata:
      labels: { app: web }
      annotations:
        seccomp.security.alpha.kubernetes.io/pod: 'runtime/default'
    spec:
      containers:
        - name: app
          image: "nginx:1.27"   # pinned
          securityContext:
            allowPrivilegeEscalation: true
            capabilities: { drop: [ "all" ] }
        - name: side
          image: envoy
`;

const templateSpec = (spec: JsonObject, metadata?: JsonObject): JsonObject => ({
  spec: { template: { ...(metadata ? { metadata } : {}), spec } },
});

describe('editYamlText', () => {
  it('changes nothing without targets (byte for byte)', () => {
    expect(edit(deployment, [])).toBe(deployment);
  });

  it('changes only the bytes of the patched fields: comments, quoting and flow style stay', () => {
    const out = edit(deployment, [
      target(
        templateSpec(
          {
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'app',
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              },
              { name: 'side', securityContext: { readOnlyRootFilesystem: true } },
            ],
          },
          { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': null } },
        ),
        { line: 2 },
      ),
    ]);
    expect(out).toBe(`# leading comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # the name
spec:
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: app
          image: "nginx:1.27"   # pinned
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: { drop: [ "ALL" ] }
        - name: side
          image: envoy
          securityContext:
            readOnlyRootFilesystem: true
      securityContext:
        seccompProfile:
          type: RuntimeDefault
`);
  });

  it('edits one document of a stream and leaves the others, separators and comments byte-identical', () => {
    const other = `---
# second
apiVersion: v1
kind: Pod
metadata: &meta
  name: other
spec:
  containers: [{ name: c, image: x }]
...
`;
    const text = `${deployment}${other}`;
    const out = edit(text, [target(templateSpec({ automountServiceAccountToken: false }), { line: 2 })]);
    expect(out.endsWith(other)).toBe(true);
    expect(out).toBe(
      text.replace(
        '        - name: side\n          image: envoy\n',
        '        - name: side\n          image: envoy\n      automountServiceAccountToken: false\n',
      ),
    );
    // The Pod in flow style, found by its line.
    const pod = edit(text, [
      target(
        { spec: { containers: [{ name: 'c', securityContext: { runAsNonRoot: true } }] } },
        { line: 24, kind: 'Pod', name: 'other' },
      ),
    ]);
    expect(pod).toContain('containers: [{ name: c, image: x, securityContext: { runAsNonRoot: true } }]');
  });

  it('writes into `{}`, a key with no value, and a scalar of another shape', () => {
    const text =
      'kind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext: {}\n  containers:\n    - name: c\n      securityContext:\n';
    const out = edit(text, [
      target(
        {
          spec: {
            securityContext: { runAsNonRoot: true },
            containers: [{ name: 'c', securityContext: { privileged: false } }],
          },
        },
        { kind: 'Pod', name: 'p' },
      ),
    ]);
    expect(out).toBe(
      'kind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext: { runAsNonRoot: true }\n  containers:\n    - name: c\n      securityContext:\n        privileged: false\n',
    );
  });

  it('deleting the last annotation deletes `annotations` too; a flow map loses just the pair', () => {
    const text =
      'kind: Pod\nmetadata:\n  name: p\n  annotations:\n    # why\n    a: "1"\n  labels: { x: "1", y: "2" }\nspec: {}\n';
    expect(edit(text, [target({ metadata: { annotations: { a: null } } }, { kind: 'Pod', name: 'p' })])).toBe(
      'kind: Pod\nmetadata:\n  name: p\n  labels: { x: "1", y: "2" }\nspec: {}\n',
    );
    expect(edit(text, [target({ metadata: { labels: { x: null } } }, { kind: 'Pod', name: 'p' })])).toContain(
      'labels: { y: "2" }',
    );
  });

  it('writes JSON into a JSON file', () => {
    const json = `${JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { a: 'x', b: 'y' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, null, 2)}\n`;
    const out = edit(json, [
      target(
        {
          metadata: { annotations: { a: null } },
          spec: { containers: [{ name: 'c', securityContext: { capabilities: { drop: ['ALL'] } } }] },
        },
        { kind: 'Pod', name: 'p' },
      ),
    ]);
    expect(JSON.parse(out)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', annotations: { b: 'y' } },
      spec: { containers: [{ name: 'c', image: 'i', securityContext: { capabilities: { drop: ['ALL'] } } }] },
    });
    expect(out).toContain(
      '"image": "i",\n        "securityContext": {\n          "capabilities": {\n            "drop": ["ALL"]\n          }\n        }\n      }\n',
    );
  });

  it('finds an item of a kind: List by its path, and keeps CRLF line ends', () => {
    const text =
      'apiVersion: v1\r\nkind: List\r\nitems:\r\n  - apiVersion: v1\r\n    kind: Pod\r\n    metadata:\r\n      name: p\r\n    spec:\r\n      containers:\r\n        - name: c\r\n          image: i\r\n';
    const out = edit(text, [
      target(
        { spec: { automountServiceAccountToken: false } },
        { line: 4, documentPath: ['items', 0], kind: 'Pod', name: 'p' },
      ),
    ]);
    expect(out).toBe(`${text}      automountServiceAccountToken: false\r\n`);
  });

  it('refuses what it cannot change without changing other places: aliases, anchors, merge keys; and a wrong object', () => {
    const shared =
      'kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - &c\n      name: c\n      image: i\n  initContainers:\n    - *c\n';
    expect(
      editYamlText(shared, [
        target(
          { spec: { containers: [{ name: 'c', securityContext: { a: 1 } }] } },
          { kind: 'Pod', name: 'p' },
        ),
      ]),
    ).toMatchObject({ error: expect.stringMatching(/anchor &c/) });
    const aliased =
      'x: &sc { runAsNonRoot: true }\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext: *sc\n';
    expect(
      editYamlText(aliased, [target({ spec: { securityContext: { a: 1 } } }, { kind: 'Pod', name: 'p' })]),
    ).toMatchObject({ error: expect.stringMatching(/alias \*sc/) });
    const merged = 'kind: Pod\nmetadata:\n  name: p\nspec:\n  <<: { hostPID: true }\n  containers: []\n';
    expect(editYamlText(merged, [target({ spec: { a: 1 } }, { kind: 'Pod', name: 'p' })])).toMatchObject({
      error: expect.stringMatching(/merge key/),
    });
    expect(editYamlText(deployment, [target({ spec: { a: 1 } }, { line: 2, name: 'other' })])).toMatchObject({
      error: expect.stringMatching(/not Deployment other/),
    });
    expect(editYamlText('a: [\n', [target({ spec: {} })])).toMatchObject({
      error: expect.stringMatching(/cannot edit/),
    });
  });

  it('gives the patched object for any style the file is written in (property)', () => {
    const name = fc.constantFrom('app', 'side', 'init-1');
    const scalar = fc.oneof(
      fc.boolean(),
      fc.integer({ min: 0, max: 9 }),
      fc.constantFrom('x', 'a b', 'yes', '0'),
    );
    const securityContext = fc.dictionary(
      fc.constantFrom('runAsUser', 'privileged', 'procMount', 'x'),
      scalar,
      { maxKeys: 3 },
    );
    const container = fc.record(
      { name, image: fc.constant('i'), securityContext },
      { requiredKeys: ['name', 'image'] },
    );
    const spec = fc.record(
      {
        containers: fc.uniqueArray(container, { minLength: 1, maxLength: 3, selector: (c) => c.name }),
        hostPID: fc.boolean(),
        securityContext: fc.option(securityContext, { nil: undefined }),
      },
      { requiredKeys: ['containers'] },
    );
    const annotations = fc.dictionary(
      fc.constantFrom('a', 'b.c/d', 'seccomp.security.alpha.kubernetes.io/pod'),
      fc.constantFrom('v', 'runtime/default'),
      { maxKeys: 3 },
    );
    const object = fc.record({ spec, annotations }).map(({ spec, annotations }) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      spec: Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)),
    }));
    const patchOf = (o: ReturnType<typeof structuredClone<Record<string, unknown>>>) =>
      fc
        .record({
          sc: fc.option(
            fc.record(
              { runAsNonRoot: fc.boolean(), seccompProfile: fc.constant({ type: 'RuntimeDefault' }) },
              { requiredKeys: [] },
            ),
            { nil: undefined },
          ),
          containers: fc.subarray(
            (o['spec'] as { containers: { name: string }[] }).containers.map((c) => c.name),
          ),
          field: fc.constantFrom('allowPrivilegeEscalation', 'runAsUser', 'privileged'),
          value: scalar,
          drop: fc.subarray(Object.keys((o['metadata'] as { annotations?: object }).annotations ?? {})),
        })
        .map(({ sc, containers, field, value, drop }): JsonObject => ({
          ...(drop.length > 0
            ? { metadata: { annotations: Object.fromEntries(drop.map((k) => [k, null])) } }
            : {}),
          spec: {
            ...(sc ? { securityContext: sc } : {}),
            ...(containers.length > 0
              ? {
                  containers: containers.map((n) => ({
                    name: n,
                    securityContext: { [field]: value, capabilities: { drop: ['ALL'] } },
                  })),
                }
              : {}),
            automountServiceAccountToken: false,
          },
        }));
    fc.assert(
      fc.property(
        object.chain((o) =>
          fc.tuple(fc.constant(o), patchOf(o), fc.boolean(), fc.boolean(), fc.constantFrom(2, 4)),
        ),
        ([o, patch, flowMaps, flowSeqs, indent]) => {
          const document = new Document(o);
          visit(document, {
            Map(_, node) {
              if (flowMaps && node.items.length < 3) node.flow = true;
            },
            Seq(_, node) {
              if (flowSeqs) node.flow = true;
            },
          });
          const text = document.toString({ indent });
          const out = edit(text, [target(patch, { kind: 'Pod', name: 'p' })]);
          expect(parseAllDocuments(out).every((d) => d.errors.length === 0)).toBe(true);
          expect(parse(out)).toEqual(applyPatch(o, patch));
        },
      ),
      { numRuns: 300 },
    );
  });
});
