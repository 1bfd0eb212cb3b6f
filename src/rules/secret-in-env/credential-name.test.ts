import { describe, expect, it } from 'vitest';
import { looksLikeCredentialName, nameWords } from './credential-name.ts';

describe('nameWords', () => {
  it('splits on separators and camelCase, keeping acronyms whole', () => {
    expect(nameWords('DB_PASSWORD')).toEqual(['db', 'password']);
    expect(nameWords('apiKey')).toEqual(['api', 'key']);
    expect(nameWords('APIKey')).toEqual(['api', 'key']);
    expect(nameWords('client-secret.v2')).toEqual(['client', 'secret', 'v2']);
    expect(nameWords('TOKEN_B64_2')).toEqual(['token', 'b64', '2']);
  });
});

describe('looksLikeCredentialName', () => {
  const credentials = [
    'PASSWORD',
    'password',
    'DB_PASSWORD',
    'MYSQL_ROOT_PASSWORD',
    'dbPassword',
    'PGPASSWORD',
    'REDIS_PASSWD',
    'SSH_KEY_PASSPHRASE',
    'JWT_SECRET',
    'CLIENT_SECRET',
    'clientSecret',
    'AWS_SECRET_ACCESS_KEY',
    'SECRET_KEY',
    'SECRET_KEY_BASE',
    'GITHUB_TOKEN',
    'authToken',
    'AUTHTOKEN',
    'BEARER_TOKEN',
    'API_KEY',
    'OPENAI_API_KEY',
    'apiKey',
    'APIKEY',
    'x-api-key',
    'PRIVATE_KEY',
    'privateKey',
    'TLS_PRIVATE_KEY_PEM',
    'CREDENTIALS',
    'DB_CREDENTIAL',
    'ADMIN_PASSWORD_2',
    'PASSWORD1',
    'PASSWORD_HASH',
    'TOKEN_B64',
    'API2_KEY',
  ];
  const notCredentials = [
    'DB_PASSWORD_FILE',
    'PASSWORD_PATH',
    'VAULT_TOKEN_PATH',
    'TOKEN_URL',
    'OAUTH_TOKEN_ENDPOINT',
    'SECRET_NAME',
    'DB_SECRET_NAME',
    'SECRETS_DIR',
    'SECRETS_MANAGER_REGION',
    'TOKEN_TTL',
    'TOKEN_EXPIRY',
    'PASSWORD_MIN_LENGTH',
    'ENABLE_TOKEN_AUTH',
    'API_KEY_HEADER',
    'TOKENIZER_MODEL',
    'SECRETARY_EMAIL',
    'KEY',
    'ENCRYPTION_KEY',
    'API_URL',
    'PWD',
    'HOME',
    'LOG_LEVEL',
    'PUBLIC_KEY',
  ];
  it.each(credentials)('%s looks like a credential', (name) =>
    expect(looksLikeCredentialName(name)).toBe(true),
  );
  it.each(notCredentials)('%s does not', (name) => expect(looksLikeCredentialName(name)).toBe(false));
});
