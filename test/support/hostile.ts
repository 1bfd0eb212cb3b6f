/** Strings from the cluster or the files that try to run code or break the page. */
export const HOSTILE = {
  script: '<script>window.__pwned=1</script>',
  svg: '"><svg onload=window.__pwned=1>',
  template: "{{constructor.constructor('window.__pwned=1')()}}",
  attribute: "' onmouseover='window.__pwned=1' x='",
  img: '<img src=x onerror="window.__pwned=1">',
} as const;

/** A manifest whose names, namespace, image, annotation and exemption reason are all hostile. */
export function hostileManifest(): string {
  const q = (s: string) => JSON.stringify(s);
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${q(HOSTILE.script)}`,
    `  namespace: ${q(HOSTILE.svg)}`,
    '  annotations:',
    `    ${q(`kube-patrol.io/exempt.privileged.${HOSTILE.img}`)}: ${q(HOSTILE.template)}`,
    `    note: ${q(HOSTILE.attribute)}`,
    'spec:',
    '  template:',
    '    spec:',
    '      hostNetwork: true',
    '      containers:',
    `        - name: ${q(HOSTILE.template)}`,
    `          image: ${q(`${HOSTILE.svg}:latest`)}`,
    '          securityContext:',
    '            privileged: true',
    `        - name: ${q(HOSTILE.img)}`,
    `          image: ${q(HOSTILE.script)}`,
    '          securityContext:',
    '            privileged: true',
    '',
  ].join('\n');
}
