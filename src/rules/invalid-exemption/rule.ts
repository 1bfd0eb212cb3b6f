import { EXEMPT_ANNOTATION_PREFIX } from '../../engine/exemptions.ts';
import { defineRule, type Reference } from '../../engine/rule.ts';

const ANNOTATIONS_REFERENCE: Reference = {
  title: 'Annotations',
  url: 'https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/',
};

export const invalidExemption = defineRule({
  meta: {
    id: 'invalid-exemption',
    subject: 'pod-spec',
    title: { en: 'Exemption annotation that exempts nothing', 'zh-CN': '无效的豁免注解' },
    category: 'kube-patrol',
    severity: 'medium',
    pss: null,
    messages: {
      emptyReason: {
        en: 'Exemption annotation "{{annotation}}" gives no reason, so it exempts nothing: write why the finding of rule "{{rule}}" is accepted as its value.',
        'zh-CN':
          '豁免注解 "{{annotation}}" 没有填写理由，因此不会豁免任何结果：请在注解值中写明为何接受规则 "{{rule}}" 的检查结果。',
      },
      unknownRule: {
        en: 'Exemption annotation "{{annotation}}" names rule "{{rule}}", which does not exist, so it exempts nothing.',
        'zh-CN': '豁免注解 "{{annotation}}" 指定的规则 "{{rule}}" 不存在，因此不会豁免任何结果。',
      },
      unknownContainer: {
        en: 'Exemption annotation "{{annotation}}" names container "{{container}}", which is not in the pod, so it exempts nothing.',
        'zh-CN': '豁免注解 "{{annotation}}" 指定的容器 "{{container}}" 不在该 Pod 中，因此不会豁免任何结果。',
      },
    },
    docs: {
      why: {
        en: 'An exemption that does not apply (a typo in the rule id or container name, or an empty reason) silently leaves the finding counted while its author believes it is handled, and an unexplained exemption cannot be reviewed.',
        'zh-CN':
          '无法生效的豁免（规则 ID 或容器名写错、理由为空）会让相关结果照常计入，而作者却以为已经处理；没有理由的豁免也无法被审查。',
      },
      fix: {
        en: `Use \`${EXEMPT_ANNOTATION_PREFIX}<rule-id>\` (or \`${EXEMPT_ANNOTATION_PREFIX}<rule-id>.<container>\` for one container) on the object or its pod template, with an existing rule id or alias, a container of the pod, and the reason as the value.`,
        'zh-CN': `在对象或其 Pod 模板上使用 \`${EXEMPT_ANNOTATION_PREFIX}<rule-id>\`（仅豁免某个容器时用 \`${EXEMPT_ANNOTATION_PREFIX}<rule-id>.<container>\`），规则 ID（或别名）和容器名必须存在，注解值写明豁免理由。`,
      },
      snippet: [
        'metadata:',
        '  annotations:',
        `    ${EXEMPT_ANNOTATION_PREFIX}host-path.log-agent: "reads node logs; reviewed in SEC-123"`,
      ].join('\n'),
      severity: {
        en: 'Medium: an exemption that does not work leaves a finding counted that someone meant to accept, or hides nothing while looking as if it did; fix the annotation so the report says what was decided.',
        'zh-CN':
          '中：无效的豁免会让本打算接受的问题继续被计入，或者看起来豁免了其实没有；修正注解，让报告如实反映决定。',
      },
      references: [ANNOTATIONS_REFERENCE],
    },
  },
  check(context) {
    // The annotations the engine read to exempt this workload's findings.
    const exemptions = context.annotationExemptions;
    if (exemptions.length === 0) return;
    const containerNames = new Set(context.containers.map((node) => node.name));
    for (const exemption of exemptions) {
      const data = { annotation: exemption.annotation, rule: exemption.ruleId };
      if (exemption.reason === '') {
        context.report({ messageId: 'emptyReason', data, path: exemption.path });
      }
      if (!context.ruleIds.has(exemption.ruleId)) {
        context.report({ messageId: 'unknownRule', data, path: exemption.path });
      }
      if (exemption.container !== null && !containerNames.has(exemption.container)) {
        context.report({
          messageId: 'unknownContainer',
          data: { ...data, container: exemption.container },
          path: exemption.path,
        });
      }
    }
  },
});
