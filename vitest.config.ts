import { defineConfig } from 'vitest/config';

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
