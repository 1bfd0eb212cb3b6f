import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatch } from '../engine/glob.ts';
import { parsePssVersion } from '../engine/pss-version.ts';
import { ALL_RULES } from '../rules/index.ts';
import { celMessage, celString, globToRe2 } from './cel.ts';
import { exportPolicies, PolicyExportError, type PolicyExportInput } from './export.ts';
import { exportMutations } from './mutations.ts';

const rule = (id: string) => ALL_RULES.find((r) => r.meta.id === id)!;
const input = (ids: string[], extra: Partial<PolicyExportInput> = {}): PolicyExportInput => ({
  rules: ids.map((id) => ({ rule: rule(id), options: {} })),
  named: false,
  version: parsePssVersion('latest'),
  action: 'Deny',
  lang: 'en',
  exemptions: [],
  presets: [],
  scope: {},
  now: new Date('2026-12-01T00:00:00Z'),
  ...extra,
});

describe('globToRe2', () => {
  it('matches what globMatch matches (JavaScript regexes stand in for RE2 on these patterns)', () => {
    const chars = fc.constantFrom('a', 'b', '.', '*', '?', '-', '(', '[', '\\', '\n', 'é');
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 6 }).map((a) => a.join('')),
        fc.array(chars, { maxLength: 8 }).map((a) => a.join('')),
        (pattern, value) => {
          // RE2's (?s:…) is JavaScript's `s` flag.
          const re = new RegExp(globToRe2(pattern).replace('^(?s:', '^(?:'), 'su');
          expect(re.test(value)).toBe(globMatch(pattern, value));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('CEL text', () => {
  it('quotes strings and turns message placeholders into the finding map’s keys', () => {
    expect(celString("it's \\ \n")).toBe("'it\\'s \\\\ \\n'");
    expect(celMessage('Container "{{container}}" sets {{missing}}.', 'f')).toBe(
      `'Container "' + string(f['container']) + '" sets ' + string(f['missing']) + '.'`,
    );
  });
});

describe('exportPolicies', () => {
  it('exports a policy and a binding per exportable rule, and says why the others are not', () => {
    const out = exportPolicies(
      input(['read-only-root-fs', 'privileged', 'service-account-token', 'rbac-wildcard']),
    );
    expect(out.documents.map((d) => d['kind'])).toEqual([
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
    ]);
    expect(out.skipped.map((s) => s.ruleId)).toEqual([
      'privileged',
      'service-account-token',
      'rbac-wildcard',
    ]);
    expect(out.skipped[0]!.reason).toMatch(/Pod Security admission/);
    expect(out.header.join('\n')).toMatch(/Pod Security admission enforces/);
  });

  it('refuses a rule named on the command line that cannot be exported', () => {
    expect(() => exportPolicies(input(['secret-in-env'], { named: true }))).toThrow(PolicyExportError);
  });

  it('sets the action on every binding, and PSA labels of the same mode from the advice', () => {
    const advice = {
      version: 'v1.37',
      namespaces: [
        {
          namespace: 'shop',
          workloads: 2,
          failingBaseline: 0,
          failingRestricted: 1,
          level: 'baseline' as const,
          enforce: null,
          namespaceRead: true,
          command: 'kubectl label …',
        },
        {
          namespace: 'legacy',
          workloads: 1,
          failingBaseline: 1,
          failingRestricted: 1,
          level: 'privileged' as const,
          enforce: null,
          namespaceRead: true,
          command: null,
        },
      ],
    };
    const out = exportPolicies(input(['image-tag-mutable'], { action: 'Warn', podSecurity: advice }));
    const binding = out.documents.find((d) => d['kind'] === 'ValidatingAdmissionPolicyBinding')!;
    expect((binding['spec'] as { validationActions: string[] }).validationActions).toEqual(['Warn']);
    expect(out.documents.filter((d) => d['kind'] === 'Namespace')).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'shop',
          labels: {
            'pod-security.kubernetes.io/warn': 'baseline',
            'pod-security.kubernetes.io/warn-version': 'v1.37',
          },
        },
      },
    ]);
  });

  it('exports active config exemptions of the rule, and notes expired ones and ones for other kinds', () => {
    const out = exportPolicies(
      input(['read-only-root-fs'], {
        exemptions: [
          { rules: ['read-only-root-fs'], namespaces: ['team-*'], reason: 'active' },
          { rules: ['*'], names: ['old'], reason: 'expired', expires: new Date('2026-01-01T00:00:00Z') },
          { rules: ['read-only-root-fs'], kinds: ['Deployment'], reason: 'deployments' },
          { rules: ['image-tag-mutable'], reason: 'another rule' },
        ],
      }),
    );
    const open = JSON.stringify(out.documents[0]);
    expect(open).toContain(`request.namespace.matches('^(?s:team-.*)$')`);
    expect(out.notes).toEqual([
      expect.stringMatching(/^exemption "expired".*not exported$/),
      expect.stringMatching(/^exemption "deployments".*Pods/),
    ]);
  });
});

describe('exportMutations', () => {
  it('exports the safe fixes that have a CEL definition, and refuses a review fix by name', () => {
    const out = exportMutations(ALL_RULES, false);
    const names = out.documents
      .filter((d) => d['kind'] === 'MutatingAdmissionPolicy')
      .map((d) => (d['metadata'] as { name: string }).name);
    expect(names).toEqual([
      'kube-patrol-fix-privilege-escalation',
      'kube-patrol-fix-seccomp-profile-missing',
    ]);
    expect(out.skipped.map((s) => s.ruleId)).toContain('read-only-root-fs');
    expect(() => exportMutations([rule('read-only-root-fs')], true)).toThrow(/review/);
  });
});
