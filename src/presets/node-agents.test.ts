import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESETS_REFERENCE_FILES, renderPresetsReference } from '../../scripts/presets-reference.ts';
import { LANGUAGES } from '../engine/i18n.ts';
import { projectRoot } from '../version.ts';
import type { ConfigFile } from '../config/schema.ts';
import { inspectWorkload } from '../engine/run.ts';
import { nestPodSpec } from '../../test/support/rule-kit.ts';
import { createRegistry } from '../engine/registry.ts';
import { resolveSettings } from '../pipeline/settings.ts';
import { ALL_RULES } from '../rules/index.ts';
import { extractWorkloads } from '../workloads/extract.ts';
import { imageRepository, normaliseHostPath } from './node-agents.ts';

const NOW = new Date('2026-12-01T00:00:00Z');
const REGISTRY = createRegistry(ALL_RULES);

/** Findings of every rule for one DaemonSet, as `rule[container]@hostPath → preset or -`. */
function scan(podSpec: Record<string, unknown>, config: ConfigFile = {}, lang: 'en' | 'zh-CN' = 'en') {
  const object = { ...nestPodSpec('Deployment', podSpec), kind: 'DaemonSet' };
  const [workload] = extractWorkloads(object, { file: 'ds.yaml', documentPath: [] }).workloads;
  if (!workload) throw new Error('not a workload');
  const settings = resolveSettings(REGISTRY, config, { lang }, NOW);
  const findings = inspectWorkload(workload, settings.engine).findings;
  const label = (f: (typeof findings)[number]) =>
    `${f.ruleId}${f.container ? `[${f.container}]` : ''}${f.ruleId === 'host-path' ? `@${String(f.data['hostPath'])}` : ''}`;
  return {
    exempted: Object.fromEntries(
      findings.filter((f) => f.exempted).map((f) => [label(f), f.exempted?.preset ?? f.exempted?.by]),
    ),
    open: findings.filter((f) => !f.exempted).map(label),
    findings,
  };
}

const hostPath = (name: string, path: string) => ({ name, hostPath: { path } });
const mount = (name: string, mountPath: string, extra: Record<string, unknown> = {}) => ({
  name,
  mountPath,
  ...extra,
});

const calico = {
  hostNetwork: true,
  initContainers: [
    {
      name: 'install-cni',
      image: 'quay.io/calico/cni:v3.29.1',
      securityContext: { privileged: true },
      volumeMounts: [mount('cni-bin', '/host/opt/cni/bin'), mount('cni-net', '/host/etc/cni/net.d')],
    },
  ],
  containers: [
    {
      name: 'calico-node',
      image: 'docker.io/calico/node:v3.29.1',
      securityContext: { privileged: true },
      volumeMounts: [mount('modules', '/lib/modules', { readOnly: true }), mount('root', '/host')],
    },
    { name: 'helper', image: 'busybox:1.36', securityContext: { privileged: true } },
  ],
  volumes: [
    hostPath('cni-bin', '/opt/cni/bin'),
    hostPath('cni-net', '/etc/cni/net.d/'),
    hostPath('modules', '/lib/modules'),
    hostPath('root', '/'),
  ],
};

describe('cni preset', () => {
  it('exempts what a CNI agent cannot drop, on its own containers and host paths only', () => {
    const { exempted, open } = scan(calico);
    expect(exempted).toMatchObject({
      'privileged[install-cni]': 'cni',
      'privileged[calico-node]': 'cni',
      'privilege-escalation[calico-node]': 'cni',
      'run-as-non-root[calico-node]': 'cni',
      'host-network': 'cni',
      'host-path@/opt/cni/bin': 'cni',
      'host-path@/etc/cni/net.d/': 'cni',
      'host-path@/lib/modules': 'cni',
    });
    // Not the agent's: an unrelated container, a host path no CNI needs, and findings it could fix.
    expect(open).toEqual(
      expect.arrayContaining([
        'privileged[helper]',
        'host-path@/',
        'capabilities-not-dropped[calico-node]',
        'seccomp-profile-missing[calico-node]',
        'read-only-root-fs[calico-node]',
        'resources-missing[calico-node]',
      ]),
    );
    expect(Object.keys(exempted).some((k) => k.includes('helper'))).toBe(false);
  });

  it('a host path mounted by a non-agent container as well is not exempted', () => {
    const spec = structuredClone(calico);
    spec.containers[1]!['volumeMounts' as never] = [mount('cni-net', '/etc/cni')] as never;
    expect(scan(spec).open).toContain('host-path@/etc/cni/net.d/');
  });

  it('another image with the same spec gets nothing exempted', () => {
    const spec = structuredClone(calico);
    spec.initContainers[0]!.image = 'example.com/team/cni:1.0';
    spec.containers[0]!.image = 'example.com/team/node:1.0';
    expect(scan(spec).exempted).toEqual({});
  });

  it('matches mirrors of the image, not look-alike names', () => {
    const spec = structuredClone(calico);
    spec.containers[0]!.image = 'registry.internal:5000/mirror/calico/node@sha256:abc';
    expect(scan(spec).exempted).toHaveProperty('privileged[calico-node]', 'cni');
    spec.containers[0]!.image = 'calico/node-exporter:1.0';
    expect(scan(spec).exempted).not.toHaveProperty('privileged[calico-node]');
  });

  it('is switched off by the config, alone or with every preset', () => {
    expect(scan(calico, { exemptionPresets: false }).exempted).toEqual({});
    expect(scan(calico, { exemptionPresets: { cni: false } }).exempted).toEqual({});
    expect(scan(calico, { exemptionPresets: { 'kube-proxy': false } }).exempted).toHaveProperty(
      'host-network',
      'cni',
    );
  });

  it('says why in the report language, and a config exemption takes precedence', () => {
    const zh = scan(calico, {}, 'zh-CN').findings.find((f) => f.ruleId === 'host-network');
    expect(zh?.exempted).toMatchObject({ by: 'preset', preset: 'cni' });
    expect(zh?.exempted?.reason).toMatch(/CNI 节点代理/);
    const own = scan(calico, { exemptions: [{ rules: ['host-network'], reason: 'ours' }] }).findings.find(
      (f) => f.ruleId === 'host-network',
    );
    expect(own?.exempted).toEqual({ by: 'config', reason: 'ours' });
  });
});

describe('csi-node preset', () => {
  const csi = {
    containers: [
      {
        name: 'node-driver-registrar',
        image: 'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.12.0',
        securityContext: { privileged: true },
        volumeMounts: [mount('registration', '/registration'), mount('socket', '/csi')],
      },
      {
        name: 'driver',
        image: 'example.com/acme/csi-driver:1.0',
        securityContext: { privileged: true },
        volumeMounts: [
          mount('pods', '/var/lib/kubelet/pods', { mountPropagation: 'Bidirectional' }),
          mount('socket', '/csi'),
          mount('dev', '/dev'),
          mount('data', '/data'),
        ],
      },
    ],
    volumes: [
      hostPath('registration', '/var/lib/kubelet/plugins_registry'),
      hostPath('socket', '/var/lib/kubelet/plugins/acme.example.com'),
      hostPath('pods', '/var/lib/kubelet/pods'),
      hostPath('dev', '/dev'),
      hostPath('data', '/var/lib/acme-data'),
    ],
  };

  it('exempts the kubelet and /dev mounts and the privileges of the container that propagates mounts', () => {
    const { exempted, open } = scan(csi);
    expect(exempted).toMatchObject({
      'host-path@/var/lib/kubelet/plugins_registry': 'csi-node',
      'host-path@/var/lib/kubelet/plugins/acme.example.com': 'csi-node',
      'host-path@/var/lib/kubelet/pods': 'csi-node',
      'host-path@/dev': 'csi-node',
      'privileged[driver]': 'csi-node',
      'privilege-escalation[driver]': 'csi-node',
      'run-as-non-root[driver]': 'csi-node',
    });
    // The registrar needs no privileges; the driver's own data directory is not a CSI path.
    expect(open).toEqual(
      expect.arrayContaining(['privileged[node-driver-registrar]', 'host-path@/var/lib/acme-data']),
    );
  });

  it('needs the registrar sidecar: the same mounts in another pod are not exempted', () => {
    const spec = structuredClone(csi);
    spec.containers.shift();
    expect(scan(spec).exempted).toEqual({});
  });

  it('without Bidirectional propagation, privileged is not exempted', () => {
    const spec = structuredClone(csi);
    spec.containers[1]!.volumeMounts[0] = mount('pods', '/var/lib/kubelet/pods');
    expect(scan(spec).open).toContain('privileged[driver]');
  });
});

describe('kube-proxy, node-exporter and log-shipper presets', () => {
  it('kube-proxy: host network, privileges, xtables lock and modules', () => {
    const { exempted, open } = scan({
      hostNetwork: true,
      containers: [
        {
          name: 'kube-proxy',
          image: 'registry.k8s.io/kube-proxy:v1.34.1',
          securityContext: { privileged: true },
          volumeMounts: [
            mount('xtables', '/run/xtables.lock'),
            mount('modules', '/lib/modules', { readOnly: true }),
          ],
        },
      ],
      volumes: [hostPath('xtables', '/run/xtables.lock'), hostPath('modules', '/lib/modules')],
    });
    expect(exempted).toMatchObject({
      'host-network': 'kube-proxy',
      'privileged[kube-proxy]': 'kube-proxy',
      'host-path@/run/xtables.lock': 'kube-proxy',
      'host-path@/lib/modules': 'kube-proxy',
    });
    expect(open).toContain('capabilities-not-dropped[kube-proxy]');
  });

  const exporter = (readOnly: boolean) => ({
    hostNetwork: true,
    hostPID: true,
    containers: [
      {
        name: 'node-exporter',
        image: 'quay.io/prometheus/node-exporter:v1.8.2',
        volumeMounts: [
          mount('root', '/host/root', { readOnly }),
          mount('sys', '/host/sys', { readOnly: true }),
        ],
      },
      { name: 'kube-rbac-proxy', image: 'quay.io/brancz/kube-rbac-proxy:v0.18.1' },
    ],
    volumes: [hostPath('root', '/'), hostPath('sys', '/sys')],
  });

  it('node-exporter: host namespaces and read-only host mounts', () => {
    const { exempted, open } = scan(exporter(true));
    expect(exempted).toMatchObject({
      'host-network': 'node-exporter',
      'host-pid': 'node-exporter',
      'host-path@/': 'node-exporter',
      'host-path@/sys': 'node-exporter',
    });
    expect(open).toContain('probes-missing[node-exporter]');
  });

  it('node-exporter: a writable mount of / is not exempted', () => {
    expect(scan(exporter(false)).open).toContain('host-path@/');
  });

  it('log-shipper: log directories and running as root; other host paths stay', () => {
    const { exempted, open } = scan({
      containers: [
        {
          name: 'fluent-bit',
          image: 'cr.fluentbit.io/fluent/fluent-bit:3.2',
          volumeMounts: [
            mount('varlog', '/var/log'),
            mount('containers', '/var/lib/docker/containers', { readOnly: true }),
            mount('mnt', '/mnt'),
          ],
        },
      ],
      volumes: [
        hostPath('varlog', '/var/log'),
        hostPath('containers', '/var/lib/docker/containers'),
        hostPath('mnt', '/mnt'),
      ],
    });
    expect(exempted).toMatchObject({
      'host-path@/var/log': 'log-shipper',
      'host-path@/var/lib/docker/containers': 'log-shipper',
      'run-as-non-root[fluent-bit]': 'log-shipper',
    });
    expect(open).toEqual(expect.arrayContaining(['host-path@/mnt', 'read-only-root-fs[fluent-bit]']));
  });
});

describe('imageRepository', () => {
  it.each([
    ['calico/node:v3.29', 'calico/node'],
    ['docker.io/calico/node:v3.29', 'calico/node'],
    ['quay.io/cilium/cilium:v1.16.5@sha256:abc', 'cilium/cilium'],
    ['localhost:5000/kube-proxy:v1.34', 'kube-proxy'],
    ['nginx', 'nginx'],
    ['docker.io/library/nginx:1.27', 'nginx'],
    ['602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.0', 'amazon-k8s-cni'],
    ['Registry.Example.com/Team/App:1', 'team/app'],
  ])('%s → %s', (image, repository) => expect(imageRepository(image)).toBe(repository));
});

describe('normaliseHostPath', () => {
  it.each([
    ['/etc/cni/net.d/', '/etc/cni/net.d'],
    ['//var//log/./', '/var/log'],
    ['/', '/'],
    ['C:\\var\\lib\\kubelet', 'C:\\var\\lib\\kubelet'],
  ])('%s → %s', (path, normalised) => expect(normaliseHostPath(path)).toBe(normalised));
});

describe('docs/exemption-presets*.md', () => {
  it('are generated from the presets (run `npm run docs`)', () => {
    for (const lang of LANGUAGES) {
      const file = join(projectRoot(), PRESETS_REFERENCE_FILES[lang]);
      expect(readFileSync(file, 'utf8'), `${file} is stale: run npm run docs`).toBe(
        renderPresetsReference(lang),
      );
    }
  });
});
