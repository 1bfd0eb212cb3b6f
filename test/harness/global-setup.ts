// vitest globalSetup of the `integration` project: one control plane per test run, shared by all test
// files (use a namespace per test). Tests read its coordinates with `inject('kubePatrolKubeconfig')`.
import type { TestProject } from 'vitest/node';
import { locateTestBinaries, startControlPlane } from './controlplane.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin (system:masters) kubeconfig of the shared test control plane. */
    kubePatrolKubeconfig: string;
    kubePatrolServer: string;
    /** Directory holding kube-apiserver and etcd, for tests that start a control plane of their own. */
    kubePatrolTestBinaries: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binDir = await locateTestBinaries();
  const controlPlane = await startControlPlane({ binDir });
  project.provide('kubePatrolKubeconfig', controlPlane.kubeconfigPath);
  project.provide('kubePatrolServer', controlPlane.server);
  project.provide('kubePatrolTestBinaries', binDir);
  return () => controlPlane.stop();
}
