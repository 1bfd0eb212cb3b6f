import type { Facts } from '../../engine/subject.ts';

/** A ServiceAccount's own `automountServiceAccountToken`, or undefined when it sets none. */
export type AccountSetting = boolean | undefined;

/**
 * The ServiceAccounts of the scan (files: every file; cluster: the scope) by namespace and name, built
 * once per scan from the facts. A ServiceAccount without a namespace (as most manifests are written)
 * matches workloads without one: `kubectl apply -n` puts both in the same namespace.
 */
export function serviceAccountSettings(facts: Facts): ReadonlyMap<string, AccountSetting> {
  return facts.derive('service-account-token/settings', (all) => {
    const settings = new Map<string, AccountSetting>();
    for (const account of all.objects('ServiceAccount')) {
      if (account.apiVersion !== 'v1') continue;
      // Anything but a boolean is refused by the API server: count it as no setting.
      const value = account.object['automountServiceAccountToken'];
      settings.set(
        accountKey(account.namespace, account.name),
        typeof value === 'boolean' ? value : undefined,
      );
    }
    return settings;
  });
}

export function accountKey(namespace: string | null, name: string): string {
  return `${namespace ?? ''}\u0000${name}`;
}
