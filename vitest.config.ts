import { defineConfig } from 'vitest/config';

// A real one-node cluster (kubelet, containerd, runc) as root, brought up by the tests or reused
// (docs/node.md). Not in the default run (root, and a long first build; docs/node.md has the numbers):
// `make e2e-node` sets KUBE_PATROL_E2E_NODE=1.
const nodeProject =
  process.env['KUBE_PATROL_E2E_NODE'] === '1'
    ? [
        {
          test: {
            name: 'node',
            include: ['test/node/**/*.test.ts'],
            environment: 'node',
            hookTimeout: 1_800_000,
            testTimeout: 300_000,
            fileParallelism: false,
          },
        },
      ]
    : [];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          // The CLI as a process and the HTML report in headless Chromium (Debian package `chromium`).
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          hookTimeout: 60_000,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'runtime',
          // Real runc, strace and gcc as root, and the Go exporter of the upstream seccomp defaults; no control
          // plane (docs/seccomp.md).
          include: ['test/runtime/**/*.test.ts'],
          environment: 'node',
          hookTimeout: 300_000,
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
      ...nodeProject,
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // One shared kube-apiserver + etcd (see docs/testenv.md); the first run may build them.
          globalSetup: ['test/harness/global-setup.ts'],
          hookTimeout: 120_000,
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
