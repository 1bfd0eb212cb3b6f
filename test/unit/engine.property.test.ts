/**
 * Property-based tests over random pod specs (fast-check): the engine never throws, malformed
 * specs become errors, and every finding's path resolves to a real field of its input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePath, resolvePath } from '../../src/shared/field-path.ts';
import { parsePssVersion } from '../../src/engine/pss-version.ts';
import { createInspector } from '../../src/engine/run.ts';
import { ALL_RULES } from '../../src/rules/index.ts';
import { extractWorkloads } from '../../src/workloads/extract.ts';
import { nestPodSpec } from '../support/rule-kit.ts';

const CAPS = [
  'ALL',
  'all',
  'NET_ADMIN',
  'SYS_ADMIN',
  'CHOWN',
  'NET_BIND_SERVICE',
  'CAP_SYS_ADMIN',
  'KILL',
  '',
];
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const weird = fc.oneof(
  fc.constant(null),
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);
/** Mostly well-typed values, sometimes anything: exercises both the rules and the validation. */
const typed = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: arb, weight: 100 }, { arbitrary: weird, weight: 1 });

const profile = fc.record(
  {
    type: typed(fc.constantFrom('RuntimeDefault', 'Localhost', 'Unconfined', 'Bogus')),
    localhostProfile: maybe(fc.string()),
  },
  { requiredKeys: [] },
);
const securityContext = fc.record(
  {
    privileged: typed(fc.boolean()),
    allowPrivilegeEscalation: typed(fc.boolean()),
    runAsNonRoot: typed(fc.boolean()),
    runAsUser: typed(fc.constantFrom(0, 1, 1000, 65534)),
    readOnlyRootFilesystem: typed(fc.boolean()),
    procMount: typed(fc.constantFrom('Default', 'Unmasked', '')),
    capabilities: typed(
      fc.record(
        {
          add: maybe(fc.array(fc.constantFrom(...CAPS), { maxLength: 3 })),
          drop: maybe(fc.array(fc.constantFrom(...CAPS), { maxLength: 3 })),
        },
        { requiredKeys: [] },
      ),
    ),
    seccompProfile: typed(profile),
    appArmorProfile: typed(profile),
    seLinuxOptions: typed(
      fc.record(
        {
          type: maybe(fc.constantFrom('container_t', 'spc_t', 'container_engine_t', '')),
          user: maybe(fc.string()),
          role: maybe(fc.string()),
        },
        { requiredKeys: [] },
      ),
    ),
    windowsOptions: typed(fc.record({ hostProcess: maybe(fc.boolean()) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);
const handler = fc.record(
  {
    httpGet: maybe(
      fc.record({ host: maybe(fc.constantFrom('', 'localhost', '10.0.0.1')), port: fc.constant(80) }),
    ),
    tcpSocket: maybe(fc.record({ host: maybe(fc.string()), port: fc.constant(80) })),
  },
  { requiredKeys: [] },
);
const container = fc.record(
  {
    name: fc.constantFrom('app', 'sidecar', 'init', 'debug', 'a.b'),
    image: typed(
      fc.constantFrom('nginx', 'nginx:latest', 'nginx:1.27', 'r:5000/a', 'a@sha256:' + 'a'.repeat(64)),
    ),
    securityContext: typed(securityContext),
    ports: maybe(
      fc.array(
        fc.record(
          { containerPort: fc.constant(80), hostPort: maybe(fc.constantFrom(0, 80, 8080)) },
          { requiredKeys: ['containerPort'] },
        ),
        { maxLength: 2 },
      ),
    ),
    env: maybe(
      fc.array(
        fc.record(
          {
            name: fc.constantFrom('DB_PASSWORD', 'API_TOKEN', 'HOME', 'SECRET_KEY_FILE'),
            value: maybe(fc.string()),
          },
          { requiredKeys: ['name'] },
        ),
        { maxLength: 2 },
      ),
    ),
    resources: maybe(
      fc.record(
        {
          requests: maybe(fc.dictionary(fc.constantFrom('cpu', 'memory'), fc.constantFrom('1', '128Mi'))),
          limits: maybe(fc.dictionary(fc.constantFrom('cpu', 'memory'), fc.constantFrom('1', '128Mi'))),
        },
        { requiredKeys: [] },
      ),
    ),
    livenessProbe: maybe(handler),
    readinessProbe: maybe(handler),
    lifecycle: maybe(fc.record({ postStart: maybe(handler), preStop: maybe(handler) }, { requiredKeys: [] })),
    volumeMounts: maybe(
      fc.array(
        fc.record({
          name: fc.constantFrom('v0', 'v1'),
          mountPath: fc.constantFrom('/data', '/run'),
          readOnly: maybe(fc.boolean()),
        }),
        { maxLength: 2 },
      ),
    ),
  },
  { requiredKeys: ['name'] },
);
const volume = fc.oneof(
  fc.record({
    name: fc.constantFrom('v0', 'v1'),
    hostPath: fc.record({
      path: fc.constantFrom('/', '/etc', '/var/run/docker.sock', '/data', '/run/containerd/containerd.sock'),
    }),
  }),
  fc.record({ name: fc.constantFrom('v0', 'v1'), emptyDir: fc.constant({}) }),
  fc.record({ name: fc.constantFrom('v0', 'v1'), nfs: fc.constant({ server: 'x', path: '/' }) }),
);
const podSpec = fc.record(
  {
    hostNetwork: typed(fc.boolean()),
    hostPID: typed(fc.boolean()),
    hostIPC: typed(fc.boolean()),
    hostUsers: maybe(fc.boolean()),
    automountServiceAccountToken: maybe(fc.boolean()),
    os: maybe(fc.record({ name: fc.constantFrom('linux', 'windows') })),
    securityContext: typed(
      fc.record(
        {
          runAsNonRoot: maybe(fc.boolean()),
          runAsUser: maybe(fc.constantFrom(0, 1000)),
          seccompProfile: maybe(profile),
          appArmorProfile: maybe(profile),
          sysctls: maybe(
            fc.array(
              fc.record({
                name: fc.constantFrom(
                  'kernel.shm_rmid_forced',
                  'net.ipv4.ip_unprivileged_port_start',
                  'kernel.msgmax',
                  'net.ipv4.tcp_keepalive_time',
                ),
                value: fc.constant('1'),
              }),
              { maxLength: 2 },
            ),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
    volumes: maybe(fc.array(volume, { maxLength: 3 })),
    initContainers: maybe(fc.array(container, { maxLength: 2 })),
    containers: typed(fc.array(container, { minLength: 1, maxLength: 3 })),
    ephemeralContainers: maybe(fc.array(container, { maxLength: 1 })),
  },
  { requiredKeys: ['containers'] },
);
const annotations = fc.dictionary(
  fc.constantFrom(
    'seccomp.security.alpha.kubernetes.io/pod',
    'container.apparmor.security.beta.kubernetes.io/app',
    'kube-patrol.io/exempt.privileged',
    'kube-patrol.io/exempt.nope',
    'kube-patrol.io/exempt.host-path.app',
  ),
  fc.constantFrom('', 'runtime/default', 'unconfined', 'localhost/x', 'because'),
  { maxKeys: 3 },
);
const version = fc.constantFrom('latest', 'v1.25', 'v1.27', 'v1.30', 'v1.31', 'v1.34');
const kind = fc.constantFrom('Pod' as const, 'Deployment' as const, 'CronJob' as const);

describe('engine over random pod specs', () => {
  it('never throws, and every finding path resolves to a real field of the input', () => {
    let workloads = 0;
    let findings = 0;
    fc.assert(
      fc.property(podSpec, annotations, version, kind, (spec, notes, v, k) => {
        const object = nestPodSpec(k, spec as Record<string, unknown>, notes as Record<string, string>);
        const extraction = extractWorkloads(object, { file: 'random.yaml', documentPath: [] });
        const inspector = createInspector({
          rules: ALL_RULES,
          version: parsePssVersion(v),
          now: new Date(0),
        });
        for (const workload of extraction.workloads) {
          workloads++;
          const errors: { source: string; message: string }[] = [];
          const result = inspector(workload, errors);
          expect(errors).toEqual([]);
          for (const finding of result.findings) {
            findings++;
            expect(
              resolvePath(object, parsePath(finding.path)).found,
              `${finding.ruleId} ${finding.path}`,
            ).toBe(true);
          }
        }
        // Either the spec was accepted, or it was rejected with an error that says where.
        if (extraction.workloads.length === 0) expect(extraction.errors.length).toBe(1);
      }),
      { numRuns: 10_000 },
    );
    expect(workloads).toBeGreaterThan(5_000);
    expect(findings).toBeGreaterThan(workloads);
  }, 120_000);
});
