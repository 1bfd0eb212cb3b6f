import { atLeastMinor, type PssVersion } from '../engine/pss-version.ts';
import type { RuleOptionValues } from '../engine/rule.ts';
import { celString, celStrings } from './cel.ts';

/**
 * The hardening rules whose logic CEL can state on a Pod, each as a CEL list of its findings on `object`
 * (a Pod being created). Every element is a map of strings: `c`, the finding's container (or '' for a
 * pod-level finding, as the rule reports it, for exemptions), `m`, its message id, and the message data.
 * Each definition follows its rule's check in src/rules/<id>/rule.ts; the admission differential test
 * (test/integration/admission-differential.test.ts) holds them to it.
 */
export interface RuleCel {
  readonly ruleId: string;
  /** The findings, as a CEL list expression of maps (see above). */
  findings(context: { version: PssVersion; options: RuleOptionValues }): string;
}

/** Why the other rules are not exported; `policy export --rules` names the reason when asked for one. */
export const NOT_EXPORTABLE: Readonly<Record<string, string>> = {
  'service-account-token':
    "the verdict follows the pod's ServiceAccount (its own automountServiceAccountToken), which an admission policy cannot read",
  'secret-in-env':
    'its credential-name and value heuristics (word splitting, placeholder recognition) have no faithful CEL equivalent',
  'probes-missing':
    'it judges workload controllers, never bare Pods, and the policies match Pods; a Pod created by a controller carries no trace of its owner kind',
};

const APP = 'object.spec.containers';
const INIT = 'object.spec.?initContainers.orValue([])';
const EPHEMERAL = 'object.spec.?ephemeralContainers.orValue([])';
/** Init, app and ephemeral containers, in the engine's traversal order (engine/traverse.ts). */
const ALL_ROLES = [INIT, APP, EPHEMERAL];

/** For each container of `roles` that `where` holds for, the finding map `item` (c is the container). */
function perContainer(roles: readonly string[], where: string, item: Record<string, string>): string {
  const map = `{'c': string(c.name), ${Object.entries(item)
    .map(([k, v]) => `${celString(k)}: string(${v})`)
    .join(', ')}}`;
  return roles.map((list) => `${list}.filter(c, ${where}).map(c, ${map})`).join(' + ');
}

/**
 * The pod's annotations; guard every use with HAS_ANNOTATIONS (an `orValue({})` default would make the
 * map's type dyn, which the policy's type check refuses where strings are expected).
 */
export const ANNOTATIONS = 'object.metadata.annotations';
export const HAS_ANNOTATIONS = 'has(object.metadata.annotations)';
/** Every container name of the pod. */
const CONTAINER_NAMES = ALL_ROLES.map((list) => `${list}.map(c, c.name)`).join(' + ');

const readOnlyRootFs: RuleCel = {
  ruleId: 'read-only-root-fs',
  findings: () => {
    const value = 'c.?securityContext.?readOnlyRootFilesystem';
    // The API rejects readOnlyRootFilesystem on Windows pods: nothing to fix there.
    return `object.spec.?os.?name.orValue('') == 'windows' ? [] : ${perContainer(
      ALL_ROLES,
      `${value}.orValue(false) != true`,
      { m: `${value}.hasValue() ? 'setFalse' : 'notSet'`, container: 'c.name' },
    )}`;
  },
};

/**
 * image-tag-mutable's parseImageReference in RE2: a digest is anything after the first `@`; the tag is what
 * follows the last `:` of the name when no `/` comes after it.
 */
function mutableImage(image: string): { mutable: string; noTag: string } {
  const digest = `${image}.matches('^[^@]*@(?s:.)')`;
  const tagged = `${image}.matches(':[^:/@]+@?$')`;
  const latest = `${image}.matches(':latest@?$')`;
  return { mutable: `(${image} != '' && !${digest} && (!${tagged} || ${latest}))`, noTag: `!${tagged}` };
}

const imageTagMutable: RuleCel = {
  ruleId: 'image-tag-mutable',
  findings: () => {
    const container = mutableImage("c.?image.orValue('').trim()");
    const volume = mutableImage("v.image.?reference.orValue('').trim()");
    const volumes =
      `object.spec.?volumes.orValue([]).filter(v, has(v.image) && ${volume.mutable})` +
      `.map(v, {'c': '', 'm': string(${volume.noTag} ? 'volumeNoTag' : 'volumeLatestTag'), 'volume': string(v.name), 'image': string(v.image.reference.trim())})`;
    return `${perContainer(ALL_ROLES, container.mutable, {
      m: `${container.noTag} ? 'noTag' : 'latestTag'`,
      container: 'c.name',
      image: 'c.image.trim()',
    })} + ${volumes}`;
  },
};

/** resources-missing: whether `resources` (a CEL expression) sets kind.resource, a limit counting as the request. */
function provides(resources: string, kind: 'requests' | 'limits', resource: string): string {
  const own = `${resources}.?${kind}.orValue({}).exists(k, k == ${celString(resource)})`;
  return kind === 'requests'
    ? `(${own} || ${resources}.?limits.orValue({}).exists(k, k == ${celString(resource)}))`
    : own;
}

const resourcesMissing: RuleCel = {
  ruleId: 'resources-missing',
  findings: ({ version, options }) => {
    const fields: ['requests' | 'limits', string][] = [
      ['requests', 'cpu'],
      ['requests', 'memory'],
      ...(options['requireCpuLimit'] === true ? [['limits', 'cpu'] as ['limits', string]] : []),
      ['limits', 'memory'],
    ];
    const podLevel = atLeastMinor(version, 34);
    const provided = (kind: 'requests' | 'limits', resource: string) =>
      podLevel
        ? `(${provides('c.?resources', kind, resource)} || ${provides('object.spec.?resources', kind, resource)})`
        : provides('c.?resources', kind, resource);
    const missing = `${celStrings(fields.map(([k, r]) => `${k}.${r}`))}.filter(f, ${fields
      .map(([k, r]) => `(f == ${celString(`${k}.${r}`)} && !${provided(k, r)})`)
      .join(' || ')})`;
    // Long-running: app containers and sidecars (init containers with restartPolicy Always).
    const app = perContainer([APP], `${missing}.size() > 0`, {
      m: "'resourcesMissing'",
      container: 'c.name',
      missing: `${missing}.join(', ')`,
    });
    const sidecars = perContainer(
      [INIT],
      `c.?restartPolicy.orValue('') == 'Always' && ${missing}.size() > 0`,
      {
        m: "'resourcesMissing'",
        container: 'c.name',
        missing: `${missing}.join(', ')`,
      },
    );
    return `${sidecars} + ${app}`;
  },
};

/** A finding on an annotation: its container when one of the pod's containers has the name, else none. */
function annotationFindings(select: string, containerName: string, item: Record<string, string>): string {
  const entries = Object.entries(item)
    .map(([k, v]) => `${celString(k)}: string(${v})`)
    .join(', ');
  return `(!${HAS_ANNOTATIONS} ? [] : ${ANNOTATIONS}.filter(k, ${select}).map(k, {'c': string((${CONTAINER_NAMES}).exists(n, n == ${containerName}) ? ${containerName} : ''), ${entries}}))`;
}

const SECCOMP_POD = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER = 'container.seccomp.security.alpha.kubernetes.io/';
const APPARMOR_CONTAINER = 'container.apparmor.security.beta.kubernetes.io/';

const seccompAnnotationDeprecated: RuleCel = {
  ruleId: 'seccomp-annotation-deprecated',
  findings: () => {
    const name = `k.substring(${SECCOMP_CONTAINER.length})`;
    return (
      `(!${HAS_ANNOTATIONS} ? [] : ${ANNOTATIONS}.filter(k, k == ${celString(SECCOMP_POD)}).map(k, {'c': '', 'm': 'podAnnotation', 'annotation': string(k), 'value': string(${ANNOTATIONS}[k])})) + ` +
      annotationFindings(`k.startsWith(${celString(SECCOMP_CONTAINER)})`, name, {
        m: "'containerAnnotation'",
        annotation: 'k',
        value: `${ANNOTATIONS}[k]`,
        container: name,
      })
    );
  },
};

const apparmorAnnotationDeprecated: RuleCel = {
  ruleId: 'apparmor-annotation-deprecated',
  findings: () => {
    const name = `k.substring(${APPARMOR_CONTAINER.length})`;
    const value = `${ANNOTATIONS}[k].trim()`;
    return annotationFindings(`k.startsWith(${celString(APPARMOR_CONTAINER)})`, name, {
      m: "'deprecatedAnnotation'",
      annotation: 'k',
      value: `${ANNOTATIONS}[k]`,
      container: name,
      replacement: `${value} == 'unconfined' ? 'type: Unconfined' : ${value}.startsWith('localhost/') ? 'type: Localhost, localhostProfile: ' + ${value}.substring(10) : 'type: RuntimeDefault'`,
    });
  },
};

/** Every exportable rule, by id. */
export const RULE_CEL: ReadonlyMap<string, RuleCel> = new Map(
  [
    apparmorAnnotationDeprecated,
    imageTagMutable,
    readOnlyRootFs,
    resourcesMissing,
    seccompAnnotationDeprecated,
  ].map((r) => [r.ruleId, r]),
);
