/**
 * What the literal value of a credential-named variable says about it (the rule docs give the table):
 * - `none`: it cannot be the credential itself: empty, only `$(VAR)` references (the kubelet expands
 *   them from other variables), a switch (`MYSQL_ALLOW_EMPTY_PASSWORD=yes`), a file path
 *   (`GOOGLE_APPLICATION_CREDENTIALS=/var/run/secrets/key.json`), or a URL that carries no credential;
 * - `placeholder`: it stands for a value still to be filled in (`changeme`, `<password>`, `${TOKEN}`,
 *   `INSERT_TOKEN_HERE`, `xxxx`) or is a bare number: reported, but low;
 * - `literal`: anything else, which looks like a real credential written into the manifest.
 */
import { looksLikeCredentialName } from './credential-name.ts';

export type CredentialValue = 'none' | 'placeholder' | 'literal';

const SWITCH_WORDS = new Set(['true', 'false', 'yes', 'no', 'on', 'off', 'enabled', 'disabled']);

/** Placeholder words, compared without case and without separators (`CHANGE_ME` is `changeme`). */
const PLACEHOLDER_WORDS = new Set([
  'changeme',
  'changeit',
  'changethis',
  'replaceme',
  'placeholder',
  'example',
  'dummy',
  'todo',
  'tbd',
  'fixme',
  'notset',
  'unset',
  'none',
  'null',
  'nil',
  'undefined',
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'yourpassword',
  'yoursecret',
  'yourtoken',
  'yourapikey',
]);

/** Template and placeholder syntaxes that no program reads as the value itself. */
const PLACEHOLDER_SYNTAX: readonly RegExp[] = [
  /^<[^<>]+>$/, // <password>
  /^\$\{[^{}]+\}$/, // ${TOKEN} (envsubst; the kubelet expands only $(VAR))
  /^\{\{.*\}\}$/, // {{ .Values.token }} (an unrendered template)
  /^%[A-Za-z0-9_]+%$/, // %TOKEN%
  /^__[A-Za-z0-9_]+__$/, // __TOKEN__
  /^@[A-Za-z0-9_]+@$/, // @TOKEN@
  /^[x*.#?_-]{3,}$/i, // xxxx, ****, ...
];

const INSTRUCTION_PREFIX = /^(insert|replace|your|enter|put|fill|change|set)(.+)$/i;
const INSTRUCTION_SUFFIX = /[-_.](?:here|goes[-_.]here)$/i;

/**
 * `INSERT_ETCD_TOKEN`, `REPLACE_WITH_KEY`, `your-api-key`, `YourToken`, `TOKEN_GOES_HERE`: an instruction,
 * not a value. After the verb comes a separator, or (camelCase) a capital; `setup` and `yours` are words.
 */
function isInstruction(text: string): boolean {
  if (text.length > 64 || !/^[A-Za-z0-9_.-]+$/.test(text)) return false;
  if (INSTRUCTION_SUFFIX.test(text)) return true;
  const match = INSTRUCTION_PREFIX.exec(text);
  if (!match) return false;
  const rest = match[2] as string;
  if (/^[-_.]/.test(rest)) return true;
  const camel = text !== text.toUpperCase() && /^[A-Z]/.test(rest);
  return camel;
}

const VARIABLE_REFERENCE = /(?<!\$)\$\([A-Za-z_][A-Za-z0-9_.-]*\)/g;

function isPath(text: string): boolean {
  return (
    /^(?:\/|\.{1,2}\/|~\/)\S*$/.test(text) || /^[A-Za-z]:\\\S*$/.test(text) || /^file:\/\/\S+$/.test(text)
  );
}

/** A URL with neither userinfo (`https://token@host`, `postgres://u:p@h`) nor a credential in its query. */
function isCredentialFreeUrl(text: string): boolean | undefined {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '') return false;
  for (const [name, value] of url.searchParams)
    if (value !== '' && looksLikeCredentialName(name)) return false;
  return true;
}

export function classifyCredentialValue(value: string): CredentialValue {
  const text = value.trim();
  if (text === '') return 'none';
  if (SWITCH_WORDS.has(text.toLowerCase())) return 'none';
  // Only references (and separators between them): the value comes from other variables.
  if (text.includes('$(') && !/[A-Za-z0-9]/.test(text.replace(VARIABLE_REFERENCE, ''))) return 'none';
  if (isPath(text)) return 'none';
  const url = isCredentialFreeUrl(text);
  if (url !== undefined) return url ? 'none' : 'literal';
  if (/^[+-]?[0-9]+(?:\.[0-9]+)?$/.test(text)) return 'placeholder';
  if (PLACEHOLDER_SYNTAX.some((pattern) => pattern.test(text))) return 'placeholder';
  if (PLACEHOLDER_WORDS.has(text.toLowerCase().replace(/[^a-z0-9]/g, ''))) return 'placeholder';
  if (isInstruction(text)) return 'placeholder';
  return 'literal';
}
