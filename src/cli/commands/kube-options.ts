import type { Command } from 'commander';

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
}

export const DEFAULT_NAMESPACE = 'kube-patrol';

export function addKubeOptions(command: Command): Command {
  return command
    .option(
      '--kubeconfig <file>',
      'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or the pod service account)',
    )
    .option('--context <name>', 'kubeconfig context');
}
