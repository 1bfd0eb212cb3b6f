/**
 * Whether an environment variable name looks like it holds a credential. Names are split into words
 * (on `_`, `-`, `.` and camelCase), then a credential word must end the name or be followed only by
 * words that still describe the credential itself (`AWS_SECRET_ACCESS_KEY`, `SECRET_KEY_BASE`). So
 * `DB_PASSWORD`, `apiKey` and `PGPASSWORD` match, while names that point at a credential rather than
 * hold it (`PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`, `VAULT_TOKEN_PATH`) do not.
 */

const CREDENTIAL_WORDS = new Set([
  'password',
  'passwords',
  'passwd',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'tokens',
  'apikey',
  'apikeys',
  'privatekey',
  'credential',
  'credentials',
]);

/** A single word that ends in one of these is a credential too: `pgpassword`, `authtoken`, `clientsecret`. */
const CREDENTIAL_SUFFIXES = ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'privatekey'];

/** Two-word credentials: `API_KEY`, `privateKey`. */
const CREDENTIAL_PAIRS: readonly (readonly [string, string])[] = [
  ['api', 'key'],
  ['api', 'keys'],
  ['private', 'key'],
];

/** Words that may follow a credential word while the name still names the credential itself. */
const CREDENTIAL_TAIL = new Set([
  'key',
  'keys',
  'access',
  'value',
  'base',
  'b64',
  'base64',
  'hash',
  'data',
  'string',
  'raw',
  'plain',
  'plaintext',
  'pem',
]);

export function nameWords(name: string): string[] {
  const words: string[] = [];
  for (const part of name.split(/[^A-Za-z0-9]+/)) {
    for (const match of part.matchAll(/[A-Z]+[0-9]*(?![a-z])|[A-Z]?[a-z]+[0-9]*|[0-9]+/g))
      words.push(match[0].toLowerCase());
  }
  return words;
}

/** `password2` is `password`; digits alone (`PASSWORD_2`) are a numbering, not a word. */
function withoutNumber(word: string): string {
  return word.replace(/[0-9]+$/, '');
}

function isCredentialWord(word: string): boolean {
  const bare = withoutNumber(word);
  return CREDENTIAL_WORDS.has(bare) || CREDENTIAL_SUFFIXES.some((suffix) => bare.endsWith(suffix));
}

function tailIsCredential(words: readonly string[], from: number): boolean {
  return words.slice(from).every((word) => {
    const bare = withoutNumber(word);
    return bare === '' || CREDENTIAL_TAIL.has(word) || CREDENTIAL_TAIL.has(bare);
  });
}

export function looksLikeCredentialName(name: string): boolean {
  const words = nameWords(name);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (isCredentialWord(word) && tailIsCredential(words, i + 1)) return true;
    const next = words[i + 1];
    const bare = withoutNumber(word);
    if (
      next !== undefined &&
      CREDENTIAL_PAIRS.some(([a, b]) => a === bare && b === withoutNumber(next)) &&
      tailIsCredential(words, i + 2)
    )
      return true;
  }
  return false;
}
