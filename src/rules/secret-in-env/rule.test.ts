import { testRule } from '../../../test/support/rule-kit.ts';
import { secretInEnv } from './rule.ts';

const withEnv = (env: unknown[]) => ({ containers: [{ name: 'app', image: 'nginx:1.27', env }] });
const secretRef = { secretKeyRef: { name: 'db', key: 'password' } };

testRule(secretInEnv, {
  valid: [
    { name: 'no env', podSpec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
    {
      name: 'credential from a secretKeyRef',
      podSpec: withEnv([{ name: 'DB_PASSWORD', valueFrom: secretRef }]),
    },
    {
      name: 'credential name with empty or null value',
      podSpec: withEnv([
        { name: 'DB_PASSWORD', value: '' },
        { name: 'API_TOKEN', value: null },
        { name: 'API_KEY' },
      ]),
    },
    {
      name: 'names that point at a credential rather than hold it',
      podSpec: withEnv([
        { name: 'DB_PASSWORD_FILE', value: '/run/secrets/db' },
        { name: 'TOKEN_URL', value: 'https://auth.example.com/token' },
        { name: 'SECRET_NAME', value: 'db-credentials' },
        { name: 'VAULT_TOKEN_PATH', value: 'auth/token' },
      ]),
    },
    {
      name: 'ordinary variables',
      podSpec: withEnv([
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'API_URL', value: 'https://api.example.com' },
      ]),
    },
    {
      name: 'values that cannot be the credential: switch, variable reference, file path',
      podSpec: withEnv([
        { name: 'MYSQL_ALLOW_EMPTY_PASSWORD', value: 'yes' },
        { name: 'DB_PASSWORD', value: '$(SHARED_DB_PASSWORD)' },
        { name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/var/secrets/google/key.json' },
      ]),
    },
    {
      name: 'references, switches, paths and credential-free URLs',
      podSpec: withEnv([
        { name: 'DSN_PASSWORD', value: '$(DB_USER):$(DB_PASSWORD)' },
        { name: 'TLS_PRIVATE_KEY', value: './certs/tls.key' },
        { name: 'OAUTH_TOKEN', value: 'https://auth.example.com/oauth/token' },
        { name: 'ENABLE_TOKEN', value: 'off' },
      ]),
    },
    {
      name: 'secretKeyRef, oldest policy version',
      version: 'v1.25',
      podSpec: withEnv([{ name: 'API_TOKEN', valueFrom: secretRef }]),
    },
  ],
  invalid: [
    {
      name: 'literal password',
      podSpec: withEnv([
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'DB_PASSWORD', value: 'hunter2' },
      ]),
      findings: [
        {
          messageId: 'literalCredential',
          path: 'spec.containers[0].env[1].value',
          container: 'app',
          data: { container: 'app', name: 'DB_PASSWORD' },
        },
      ],
    },
    {
      name: 'placeholders and bare numbers are low, real-looking literals beside them high',
      podSpec: withEnv([
        { name: 'ETCD_INITIAL_CLUSTER_TOKEN', value: 'INSERT_ETCD_INITIAL_CLUSTER_TOKEN' },
        { name: 'MYSQL_DB_PASSWORD', value: 'password' },
        { name: 'ADMIN_PASSWORD', value: 'changeme' },
        { name: 'API_TOKEN', value: '${API_TOKEN}' },
        { name: 'PIN_PASSWORD', value: '1234' },
        { name: 'MINIO_SECRET_KEY', value: 'minio123' },
        { name: 'DATABASE_CREDENTIALS', value: 'postgres://app:s3cr3t@db:5432/app' },
      ]),
      findings: [
        ...[
          'ETCD_INITIAL_CLUSTER_TOKEN',
          'MYSQL_DB_PASSWORD',
          'ADMIN_PASSWORD',
          'API_TOKEN',
          'PIN_PASSWORD',
        ].map((name, i) => ({
          messageId: 'placeholderCredential' as const,
          path: `spec.containers[0].env[${i}].value`,
          container: 'app',
          severity: 'low' as const,
          data: { container: 'app', name },
        })),
        {
          messageId: 'literalCredential',
          path: 'spec.containers[0].env[5].value',
          data: { name: 'MINIO_SECRET_KEY' },
        },
        {
          messageId: 'literalCredential',
          path: 'spec.containers[0].env[6].value',
          data: { name: 'DATABASE_CREDENTIALS' },
        },
      ],
    },
    {
      name: 'case-insensitive and camelCase names',
      podSpec: withEnv([
        { name: 'apiKey', value: 'k-1' },
        { name: 'Client_Secret', value: 's-1' },
        { name: 'privateKey', value: '-----BEGIN' },
        { name: 'pgpassword', value: 'p' },
      ]),
      findings: [
        { messageId: 'literalCredential', path: 'spec.containers[0].env[0].value', data: { name: 'apiKey' } },
        {
          messageId: 'literalCredential',
          path: 'spec.containers[0].env[1].value',
          data: { name: 'Client_Secret' },
        },
        {
          messageId: 'literalCredential',
          path: 'spec.containers[0].env[2].value',
          data: { name: 'privateKey' },
        },
        {
          messageId: 'literalCredential',
          path: 'spec.containers[0].env[3].value',
          data: { name: 'pgpassword' },
        },
      ],
    },
    {
      name: 'credential words followed by words that still name the credential',
      podSpec: withEnv([
        { name: 'AWS_SECRET_ACCESS_KEY', value: 'abc' },
        { name: 'SECRET_KEY_BASE', value: 'def' },
        { name: 'GITHUB_TOKEN', value: 'ghp_x' },
        { name: 'APP_CREDENTIALS', value: 'u:p' },
      ]),
      findings: [
        {
          messageId: 'literalCredential',
          path: 'spec.containers[0].env[0].value',
          data: { name: 'AWS_SECRET_ACCESS_KEY' },
        },
        {
          messageId: 'literalCredential',
          path: 'spec.containers[0].env[1].value',
          data: { name: 'SECRET_KEY_BASE' },
        },
        {
          messageId: 'literalCredential',
          path: 'spec.containers[0].env[2].value',
          data: { name: 'GITHUB_TOKEN' },
        },
        {
          messageId: 'literalCredential',
          path: 'spec.containers[0].env[3].value',
          data: { name: 'APP_CREDENTIALS' },
        },
      ],
    },
    {
      name: 'literal credentials in every container role',
      version: 'v1.25',
      podSpec: {
        initContainers: [
          { name: 'migrate', image: 'flyway:10', env: [{ name: 'FLYWAY_PASSWORD', value: 'x' }] },
        ],
        containers: [
          { name: 'app', image: 'nginx:1.27', env: [{ name: 'API_TOKEN', valueFrom: secretRef }] },
          { name: 'side', image: 'envoy:1.30', env: [{ name: 'API_TOKEN', value: 'y' }] },
        ],
        ephemeralContainers: [
          { name: 'debug', image: 'busybox:1.36', env: [{ name: 'PASSWD', value: 'z' }] },
        ],
      },
      findings: [
        { messageId: 'literalCredential', path: 'spec.initContainers[0].env[0].value', container: 'migrate' },
        { messageId: 'literalCredential', path: 'spec.containers[1].env[0].value', container: 'side' },
        {
          messageId: 'literalCredential',
          path: 'spec.ephemeralContainers[0].env[0].value',
          container: 'debug',
        },
      ],
    },
  ],
});
