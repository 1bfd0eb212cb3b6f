import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import type * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadCredentials } from './credentials.ts';

const dir = mkdtempSync(join(tmpdir(), 'kp-credentials-'));
const pem = (label: string) =>
  `-----BEGIN ${label}-----\n${Buffer.from(label.repeat(20)).toString('base64')}\n-----END ${label}-----\n`;
writeFileSync(join(dir, 'ca.crt'), pem('CERTIFICATE AUTHORITY'));
writeFileSync(join(dir, 'client.crt'), pem('CERTIFICATE'));
writeFileSync(join(dir, 'client.key'), pem('PRIVATE KEY'));
writeFileSync(join(dir, 'token'), 'file-token\n');
const b64 = (text: string) => Buffer.from(text).toString('base64');

type Obj = Record<string, unknown>;
let files = 0;
function kubeconfig(cluster: Obj, user: Obj, context: Obj = {}, extra: Obj = {}): string {
  const file = join(dir, `config-${++files}`);
  writeFileSync(
    file,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'c', cluster: { server: 'https://127.0.0.1:6443', ...cluster } },
        {
          name: 'other',
          cluster: { server: 'https://10.0.0.1:443', 'certificate-authority-data': b64(pem('OTHER CA')) },
        },
      ],
      users: [
        { name: 'u', user },
        { name: 'other', user: { token: 'other-token' } },
      ],
      contexts: [
        { name: 'main', context: { cluster: 'c', user: 'u', ...context } },
        { name: 'second', context: { cluster: 'other', user: 'other', namespace: 'team-b' } },
      ],
      'current-context': 'main',
      ...extra,
    }),
  );
  return file;
}

/** What both loaders put on request options, in comparable form. */
function comparable(options: https.RequestOptions) {
  const text = (value: unknown) =>
    value === undefined ? undefined : Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  return {
    ca: text(options.ca),
    cert: text(options.cert),
    key: text(options.key),
    rejectUnauthorized: options.rejectUnauthorized === false ? false : undefined,
    servername: options.servername,
    authorization: (options.headers as Record<string, string> | undefined)?.['Authorization'],
  };
}

async function clientNode(file: string, context?: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  if (context) kc.setCurrentContext(context);
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  return {
    context: kc.getCurrentContext(),
    server: kc.getCurrentCluster()?.server,
    namespace: kc.getContextObject(kc.getCurrentContext())?.namespace,
    options: comparable(options),
  };
}

async function ours(file: string, context?: string) {
  const credentials = loadCredentials({ kubeconfig: file, ...(context ? { context } : {}), env: {} });
  const options: https.RequestOptions = {};
  await credentials.apply(options);
  return {
    via: credentials.via,
    value: {
      context: credentials.context,
      server: credentials.server,
      namespace: credentials.namespace,
      options: comparable(options),
    },
  };
}

describe('loadCredentials', () => {
  const shapes: [string, () => string, string?][] = [
    [
      'CA, client certificate and key as files (relative paths)',
      () =>
        kubeconfig(
          { 'certificate-authority': 'ca.crt' },
          { 'client-certificate': 'client.crt', 'client-key': join(dir, 'client.key') },
          { namespace: 'team-a' },
        ),
    ],
    [
      'CA, client certificate and key as data',
      () =>
        kubeconfig(
          { 'certificate-authority-data': b64(pem('CA DATA')) },
          { 'client-certificate-data': b64(pem('CERT DATA')), 'client-key-data': b64(pem('KEY DATA')) },
        ),
    ],
    [
      'a bearer token',
      () => kubeconfig({ 'certificate-authority-data': b64(pem('CA DATA')) }, { token: 'abc.def' }),
    ],
    [
      'a CA given both as a file and as data (the file wins)',
      () =>
        kubeconfig(
          { 'certificate-authority': 'ca.crt', 'certificate-authority-data': b64(pem('IGNORED')) },
          { token: 'x' },
        ),
    ],
    [
      'insecure-skip-tls-verify and tls-server-name',
      () =>
        kubeconfig({ 'insecure-skip-tls-verify': true, 'tls-server-name': 'api.example' }, { token: 't' }),
    ],
    [
      'extensions (as minikube writes them)',
      () =>
        kubeconfig(
          {
            'certificate-authority': 'ca.crt',
            extensions: [{ name: 'x', extension: { provider: 'minikube' } }],
          },
          { 'client-certificate': 'client.crt', 'client-key': 'client.key', extensions: [] },
        ),
    ],
    [
      'another context chosen with --context',
      () => kubeconfig({ 'certificate-authority': 'ca.crt' }, { token: 'main-token' }),
      'second',
    ],
  ];
  it.each(shapes)('reads %s itself, exactly as client-node does', async (_, make, context) => {
    const file = make();
    const got = await ours(file, context);
    expect(got.via).toBe('built-in');
    expect(got.value).toEqual(await clientNode(file, context));
    expect(
      got.value.options.ca ?? got.value.options.authorization ?? got.value.options.rejectUnauthorized,
    ).toBeDefined();
  });

  it('hands other shapes to client-node: an exec plugin gets its token', async () => {
    const plugin = join(dir, 'plugin.sh');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-exec"}}'\n`,
    );
    chmodSync(plugin, 0o755);
    const file = kubeconfig(
      { 'certificate-authority': 'ca.crt' },
      { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } },
    );
    const got = await ours(file);
    expect(got.via).toBe('client-node');
    expect(got.value.options.authorization).toBe('Bearer from-exec');
    expect(got.value).toEqual(await clientNode(file));
  });

  it.each([
    ['a token file', { 'token-file': join(dir, 'token') }, {}],
    ['basic auth', { username: 'u', password: 'p' }, {}],
    ['impersonation', { token: 't', as: 'someone' }, {}],
    ['a context without a user', {}, { user: undefined }],
  ])('hands %s to client-node', async (_, user, context) => {
    const file = kubeconfig({ 'certificate-authority': 'ca.crt' }, user, context);
    const got = await ours(file);
    expect(got.via).toBe('client-node');
    expect(got.value).toEqual(await clientNode(file));
  });

  it('hands several files in $KUBECONFIG to client-node, which merges them', () => {
    const first = kubeconfig(
      { 'certificate-authority': 'ca.crt' },
      { token: 'a' },
      {},
      { 'current-context': 'second' },
    );
    const second = join(dir, 'config-merged');
    writeFileSync(
      second,
      dump({
        clusters: [{ name: 'c3', cluster: { server: 'https://10.0.0.3' } }],
        users: [{ name: 'u3', user: { token: 'c' } }],
        contexts: [{ name: 'third', context: { cluster: 'c3', user: 'u3' } }],
        'current-context': 'third',
      }),
    );
    const saved = process.env['KUBECONFIG'];
    process.env['KUBECONFIG'] = `${first}:${second}`;
    try {
      const fromFirst = loadCredentials({ context: 'second' });
      expect(fromFirst).toMatchObject({
        via: 'client-node',
        server: 'https://10.0.0.1:443',
        namespace: 'team-b',
      });
      expect(loadCredentials({ context: 'third' })).toMatchObject({
        via: 'client-node',
        server: 'https://10.0.0.3',
      });
    } finally {
      if (saved === undefined) delete process.env['KUBECONFIG'];
      else process.env['KUBECONFIG'] = saved;
    }
  });

  it("reads a pod's service account, and its token again after a minute (bound tokens rotate)", async () => {
    const account = mkdtempSync(join(tmpdir(), 'kp-sa-'));
    writeFileSync(join(account, 'ca.crt'), pem('CLUSTER CA'));
    writeFileSync(join(account, 'namespace'), 'kube-patrol\n');
    writeFileSync(join(account, 'token'), 'one\n');
    const credentials = loadCredentials({
      inCluster: true,
      serviceAccountDir: account,
      env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
    });
    expect(credentials).toMatchObject({
      via: 'built-in',
      context: 'in-cluster',
      server: 'https://[fd00::1]:443',
      namespace: 'kube-patrol',
    });
    const apply = async () => {
      const options: https.RequestOptions = {};
      await credentials.apply(options);
      return comparable(options);
    };
    expect(await apply()).toMatchObject({ ca: pem('CLUSTER CA'), authorization: 'Bearer one' });
    writeFileSync(join(account, 'token'), 'two\n');
    expect((await apply()).authorization).toBe('Bearer one');
    const now = Date.now();
    const realNow = Date.now;
    Date.now = () => now + 61_000;
    try {
      expect((await apply()).authorization).toBe('Bearer two');
    } finally {
      Date.now = realNow;
    }
    expect(() => loadCredentials({ inCluster: true, serviceAccountDir: account, env: {} })).toThrow(
      'not in a pod',
    );
  });

  it('names the problem: an unknown context, a missing file', () => {
    const file = kubeconfig({ 'certificate-authority': 'ca.crt' }, { token: 'a' });
    expect(() => loadCredentials({ kubeconfig: file, context: 'nope', env: {} })).toThrow(
      'kubeconfig has no context "nope"',
    );
    expect(() => loadCredentials({ kubeconfig: join(dir, 'missing'), env: {} })).toThrow(/missing/);
  });
});
