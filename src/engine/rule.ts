import type { Container, ObjectMeta, PodSpec } from '../workloads/schema.ts';
import type { Workload } from '../workloads/model.ts';
import type { Localized } from './i18n.ts';
import type { FieldPath } from '../shared/field-path.ts';
import type { PssVersion } from './pss-version.ts';
import type { AnnotationExemption } from './exemptions.ts';
import type { Severity } from './severity.ts';
import type { Facts, ObjectSubject, ObjectSubjectKind, SubjectKind } from './subject.ts';
import type { FixDraft, RuleFixMeta } from './fix.ts';

export type RuleCategory = 'pod-security' | 'hardening' | 'kube-patrol';
export type PssLevel = 'baseline' | 'restricted';

export interface PssRef {
  readonly level: PssLevel;
  /** The upstream check id in k8s.io/pod-security-admission (package policy). */
  readonly check: string;
}

/** A switch a rule reads from `rules.<id>.options` in the config; plain data, rendered into the rule docs. */
export interface RuleOption {
  readonly default: boolean;
  readonly description: Localized;
}

export type RuleOptionValues = Readonly<Record<string, boolean>>;

export interface Reference {
  readonly title: string;
  readonly url: string;
}

/** Plain data about a rule: docs, config and reports read it without running the rule. */
export interface RuleMeta<MessageId extends string = string, Kind extends SubjectKind = SubjectKind> {
  /** Stable kebab-case id, equal to the rule's folder name. A public contract. */
  readonly id: string;
  /** What the rule inspects (ADR 0008): the engine hands it only subjects of this kind. */
  readonly subject: Kind;
  /**
   * Object kinds the rule reads as facts besides its subject (e.g. `ServiceAccount`), so that the scan
   * reads them before any rule runs; see Facts.known for what a rule may conclude when one is missing.
   */
  readonly facts?: readonly string[];
  /**
   * Runs only when asked for: `rules: {<id>: on}` in the config, or the switch of its subject (`nodes`).
   * For inspections that read more of a cluster than a scan otherwise does.
   */
  readonly optIn?: boolean;
  /** Former ids that still match in config and exemptions. */
  readonly aliases?: readonly string[];
  readonly title: Localized;
  readonly category: RuleCategory;
  readonly severity: Severity;
  readonly pss: PssRef | null;
  /** First policy version the check applies to (e.g. 34 for probe-host); absent means every version. */
  readonly sinceMinor?: number;
  /** Switches of `rules.<id>.options` in the config, with their defaults. */
  readonly options?: Readonly<Record<string, RuleOption>>;
  /**
   * The rule attaches machine fixes to (some of) its findings (`FindingDraft.fix`); this documents them.
   * Pod-spec rules only.
   */
  readonly fix?: RuleFixMeta;
  /** Finding messages with `{{placeholders}}`; tests assert the id and data, never the prose. */
  readonly messages: Readonly<Record<MessageId, Localized>>;
  readonly docs: {
    /** Why it matters: one or two sentences. */
    readonly why: Localized;
    /** How to fix it. */
    readonly fix: Localized;
    /** A minimal YAML snippet of the fixed field at its place in a pod spec. */
    readonly snippet: string;
    readonly references: readonly Reference[];
    /** Why the default severity is what it is (the catalogue test requires it of every rule). */
    readonly severity?: Localized;
  };
}

export type ContainerRole = 'initContainers' | 'containers' | 'ephemeralContainers';

/** One container of the pod spec, handed to rules by the engine's single traversal. */
export interface ContainerNode {
  readonly container: Container;
  readonly role: ContainerRole;
  readonly index: number;
  readonly name: string;
  /** Path of the container inside the object, e.g. spec.template.spec.containers[1]. */
  readonly path: FieldPath;
  /**
   * Runs as long as the pod: an app container, or a sidecar (an init container with
   * `restartPolicy: Always`, v1.29+). Init containers that run to completion and ephemeral ones do not.
   */
  readonly longRunning: boolean;
}

export interface FindingDraft<MessageId extends string> {
  readonly messageId: MessageId;
  readonly data?: Readonly<Record<string, string | number>>;
  /** The field at fault (or the field that should be set), inside the object. */
  readonly path: FieldPath;
  /** The container concerned; omitted for pod-level fields. */
  readonly container?: ContainerNode;
  /** Severity nuance for this finding; defaults to the rule's. */
  readonly severity?: Severity;
  /** The upstream check, when a rule maps onto more than one (capabilities). */
  readonly pss?: PssRef;
  /**
   * Why the finding holds, one step a line, when it comes from other objects than the subject (e.g. the
   * bindings through which a workload's service account has a power).
   */
  readonly evidence?: readonly string[];
  /**
   * An exemption the rule itself ships for this finding (e.g. a binding Kubernetes itself creates): the
   * finding stays in the report, exempted `by: preset` with this preset id and reason, unless an
   * annotation, config or workload preset exemption applies first.
   */
  readonly presetExemption?: { readonly preset: string; readonly reason: string };
  /**
   * The machine fix of this finding, as operations on the pod template (`metadata`/`spec`), and its safety
   * class (engine/fix.ts). The engine turns it into a strategic-merge patch of the object; a fix that
   * touches ephemeral containers is dropped (they change only through their own subresource).
   */
  readonly fix?: FixDraft;
}

/** What every rule's check is given, whatever its subject. */
interface CheckContextBase<MessageId extends string> {
  readonly version: PssVersion;
  /** Every registered rule id and alias (for checks on exemption annotations). */
  readonly ruleIds: ReadonlySet<string>;
  /** The other objects of the scan that rules asked for (meta `facts`). */
  readonly facts: Facts;
  /**
   * The `kube-patrol.io/exempt.*` annotations of the subject (a workload's own and its pod template's),
   * as the engine read them to exempt findings.
   */
  readonly annotationExemptions: readonly AnnotationExemption[];
  /** This rule's options: its declared defaults, overridden by the config. */
  readonly options: RuleOptionValues;
  report(finding: FindingDraft<MessageId>): void;
}

/** The context of a `pod-spec` rule: one workload, its pod spec and its containers. */
export interface CheckContext<MessageId extends string = string> extends CheckContextBase<MessageId> {
  readonly workload: Workload;
  readonly podSpec: PodSpec;
  readonly podMetadata: ObjectMeta;
  readonly podSpecPath: FieldPath;
  readonly podMetadataPath: FieldPath;
  /** Init, app and ephemeral containers, in that order. */
  readonly containers: readonly ContainerNode[];
}

/** The context of a rule on objects: one object of its subject kind. */
export interface ObjectCheckContext<
  MessageId extends string = string,
  Kind extends ObjectSubjectKind = ObjectSubjectKind,
> extends CheckContextBase<MessageId> {
  readonly subject: ObjectSubject<Kind>;
}

/** A rule on workloads' pod specs (most rules). */
export interface Rule<MessageId extends string = string> {
  readonly meta: RuleMeta<MessageId, 'pod-spec'>;
  check(context: CheckContext<MessageId>): void;
}

/** A rule on objects of one subject kind (RBAC objects, SeccompProfiles, nodes, namespaces). */
export interface ObjectRule<
  MessageId extends string = string,
  Kind extends ObjectSubjectKind = ObjectSubjectKind,
> {
  readonly meta: RuleMeta<MessageId, Kind>;
  check(context: ObjectCheckContext<MessageId, Kind>): void;
  /**
   * Optional: the same rule's findings on workloads, from its objects (ADR 0008: a workload's powers
   * through its service account's RBAC are reported on the workload under the rule's id). Runs with the
   * pod-spec rules, on every workload, with the scan's facts.
   */
  checkWorkload?(context: CheckContext<MessageId>): void;
}

/** Identity function that keeps the message-id type of a pod-spec rule while checking its shape. */
export function defineRule<MessageId extends string>(rule: Rule<MessageId>): Rule<MessageId> {
  return rule;
}

/** The same for a rule on objects; the subject kind comes from `meta.subject`. */
export function defineObjectRule<MessageId extends string, Kind extends ObjectSubjectKind>(
  rule: ObjectRule<MessageId, Kind>,
): ObjectRule<MessageId, Kind> {
  return rule;
}

/** Widened view used by the registry, which holds rules with different message ids and subjects. */
export type AnyRule = Rule<string> | ObjectRule<string, ObjectSubjectKind>;

export function isPodSpecRule(rule: AnyRule): rule is Rule<string> {
  return rule.meta.subject === 'pod-spec';
}
