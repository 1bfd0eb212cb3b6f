import type { AnyRule } from '../engine/rule.ts';
import { PolicyExportError } from './export.ts';

/**
 * MutatingAdmissionPolicies (admissionregistration.k8s.io/v1, GA in v1.36) for the `safe` machine fixes:
 * for each rule whose fix metadata (meta.fix) is `safe`, the same change as the fix the rule attaches to
 * its findings (src/rules/fixes.ts), under the same conditions, as a CEL ApplyConfiguration on the Pod
 * being created. The admission-mutation test (test/integration/admission-mutation.test.ts) holds each one
 * to the rule's own fix: the stored pod equals the engine's fixed pod, and scans without the safe findings.
 */
interface SafeFixCel {
  readonly ruleId: string;
  /** A CEL ApplyConfiguration expression (an `Object{...}` of the Pod). */
  readonly applyConfiguration: string;
}

const LINUX = "object.spec.?os.?name.orValue('') != 'windows'";

/** CEL: the pod (or, with `container`, that container) carries the rule's exemption annotation with a reason. */
function exempt(ruleId: string, container?: string): string {
  const key = (suffix: string) => `'kube-patrol.io/exempt.${ruleId}'${suffix}`;
  const has = (k: string) =>
    `(has(object.metadata.annotations) && (${k}) in object.metadata.annotations && object.metadata.annotations[${k}].trim() != '')`;
  return container ? `(${has(key(''))} || ${has(key(` + '.' + ${container}`))})` : has(key(''));
}

/** privilege-escalation: allowPrivilegeEscalation unset → false, on a container neither privileged nor adding SYS_ADMIN or ALL. */
const privilegeEscalation: SafeFixCel = {
  ruleId: 'privilege-escalation',
  applyConfiguration: (() => {
    // canonicalCapability: trimmed, upper-case, without a CAP_ prefix.
    const forced =
      "c.?securityContext.?privileged.orValue(false) == true || c.?securityContext.?capabilities.?add.orValue([]).exists(a, a.trim().upperAscii() in ['SYS_ADMIN', 'ALL', 'CAP_SYS_ADMIN', 'CAP_ALL'])";
    const needs = `!c.?securityContext.?allowPrivilegeEscalation.hasValue() && !(${forced}) && !${exempt('privilege-escalation', 'c.name')}`;
    const set = (list: string, type: string) =>
      `${list}.filter(c, ${needs}).map(c, Object.spec.${type}{name: c.name, securityContext: Object.spec.${type}.securityContext{allowPrivilegeEscalation: false}})`;
    const init = 'object.spec.?initContainers.orValue([])';
    return (
      `!(${LINUX}) ? Object{} : Object{spec: Object.spec{` +
      `?containers: ${set('object.spec.containers', 'containers')}.size() > 0 ? optional.of(${set('object.spec.containers', 'containers')}) : optional.none(), ` +
      `?initContainers: ${set(init, 'initContainers')}.size() > 0 ? optional.of(${set(init, 'initContainers')}) : optional.none()}}`
    );
  })(),
};

/** seccomp-profile-missing: a pod-level RuntimeDefault profile when neither the pod nor any container sets one. */
const seccompProfileMissing: SafeFixCel = {
  ruleId: 'seccomp-profile-missing',
  applyConfiguration: (() => {
    const any = (list: string) => `${list}.exists(c, c.?securityContext.?seccompProfile.hasValue())`;
    const none = `!object.spec.?securityContext.?seccompProfile.hasValue() && !${any('object.spec.containers')} && !${any('object.spec.?initContainers.orValue([])')}`;
    return `${LINUX} && ${none} && !${exempt('seccomp-profile-missing')} ? Object{spec: Object.spec{securityContext: Object.spec.securityContext{seccompProfile: Object.spec.securityContext.seccompProfile{type: 'RuntimeDefault'}}}} : Object{}`;
  })(),
};

const SAFE_FIX_CEL: ReadonlyMap<string, SafeFixCel> = new Map(
  [privilegeEscalation, seccompProfileMissing].map((f) => [f.ruleId, f]),
);

export interface MutationExport {
  readonly documents: readonly Record<string, unknown>[];
  readonly skipped: readonly { ruleId: string; reason: string }[];
}

/** The mutating policies of the rules given whose fix metadata is `safe`. */
export function exportMutations(rules: readonly AnyRule[], named: boolean): MutationExport {
  const documents: Record<string, unknown>[] = [];
  const skipped: { ruleId: string; reason: string }[] = [];
  for (const rule of rules) {
    const id = rule.meta.id;
    const safety = rule.meta.fix?.safety;
    const cel = SAFE_FIX_CEL.get(id);
    const reason =
      safety === undefined
        ? 'it has no machine fix'
        : safety !== 'safe'
          ? `its fix is ${safety}: a person decides, a policy does not`
          : cel
            ? undefined
            : 'no CEL definition of its fix is written yet (it removes an annotation and sets the field: kube-patrol fix does it)';
    if (reason || !cel) {
      if (named) throw new PolicyExportError(`rule ${id} has no mutating policy: ${reason}`);
      if (safety !== undefined) skipped.push({ ruleId: id, reason: reason ?? '' });
      continue;
    }
    const name = `kube-patrol-fix-${id}`;
    const labels = { 'app.kubernetes.io/managed-by': 'kube-patrol' };
    documents.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingAdmissionPolicy',
      metadata: { name, labels, annotations: { 'kube-patrol.io/rule': id, 'kube-patrol.io/fix': 'safe' } },
      spec: {
        failurePolicy: 'Fail',
        reinvocationPolicy: 'IfNeeded',
        matchConstraints: {
          resourceRules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] },
          ],
        },
        mutations: [
          { patchType: 'ApplyConfiguration', applyConfiguration: { expression: cel.applyConfiguration } },
        ],
      },
    });
    documents.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingAdmissionPolicyBinding',
      metadata: { name, labels },
      spec: { policyName: name },
    });
  }
  return { documents, skipped };
}
