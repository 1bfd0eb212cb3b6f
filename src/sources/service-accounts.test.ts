import { describe, expect, it } from 'vitest';
import { mayHoldServiceAccount, ServiceAccountIndex } from './service-accounts.ts';

const account = (name: string, extra: Record<string, unknown> = {}, namespace?: string) => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, ...(namespace ? { namespace } : {}) },
  ...extra,
});

describe('ServiceAccountIndex', () => {
  it('records accounts by namespace and name with their automount setting', () => {
    const index = new ServiceAccountIndex();
    index.add(account('off', { automountServiceAccountToken: false }, 'shop'));
    index.add(account('on', { automountServiceAccountToken: true }, 'shop'));
    index.add(account('silent', {}, 'shop'));
    index.add(account('bare', { automountServiceAccountToken: false }));
    expect(index.get('shop', 'off')).toEqual({ automountServiceAccountToken: false });
    expect(index.get('shop', 'on')).toEqual({ automountServiceAccountToken: true });
    expect(index.get('shop', 'silent')).toEqual({});
    expect(index.get(null, 'bare')).toEqual({ automountServiceAccountToken: false });
    expect(index.get('shop', 'bare')).toBeUndefined();
    expect(index.get(null, 'off')).toBeUndefined();
    expect(index.size).toBe(4);
  });

  it('unpacks a List and a typed ServiceAccountList whose items leave out kind and apiVersion', () => {
    const index = new ServiceAccountIndex();
    index.add({
      apiVersion: 'v1',
      kind: 'List',
      items: [account('a', { automountServiceAccountToken: false })],
    });
    index.add({
      apiVersion: 'v1',
      kind: 'ServiceAccountList',
      items: [{ metadata: { name: 'b', namespace: 'ns' }, automountServiceAccountToken: false }],
    });
    expect(index.get(null, 'a')).toEqual({ automountServiceAccountToken: false });
    expect(index.get('ns', 'b')).toEqual({ automountServiceAccountToken: false });
  });

  it('ignores what is not a core/v1 ServiceAccount with a name', () => {
    const index = new ServiceAccountIndex();
    index.add({ ...account('crd'), apiVersion: 'example.com/v1' });
    index.add({ ...account('x'), kind: 'Secret' });
    index.add({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: {} });
    index.add({ apiVersion: 'v1', kind: 'ServiceAccount' });
    index.add(null);
    index.add('ServiceAccount');
    index.add({ kind: 'List', items: 'not a list' });
    expect(index.size).toBe(0);
  });

  it('treats a non-boolean automount value as no setting (the API server would reject it)', () => {
    const index = new ServiceAccountIndex();
    index.add(account('s', { automountServiceAccountToken: 'false' }));
    expect(index.get(null, 's')).toEqual({});
  });
});

describe('mayHoldServiceAccount', () => {
  it.each([
    ['kind: ServiceAccount\n', true],
    ['"kind":"ServiceAccountList"', true],
    ['kind: Deployment\nspec:\n  serviceAccountName: web\n', false],
  ])('%j → %s', (text, expected) => expect(mayHoldServiceAccount(text)).toBe(expected));
});
