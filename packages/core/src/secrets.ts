/**
 * Secrets never go into the registry and never come out of the API. This module decides what
 * looks like one, in two places that must agree:
 *  - `findSecrets` names every secret in a request body or a stored spec (the API refuses it with
 *    422; the ingest stage refuses a stored spec that still holds one);
 *  - `redactSecrets` replaces them by `***` (the last line of defence on every API response and
 *    problem, every audit row, every dataset version's source metadata).
 * The same rules are written in SQL in the `redact_secrets` migration, which redacts what was
 * stored before; its test checks that both give the same result.
 *
 * The rules:
 *  1. an object field whose name is a secret's (`password`, `token`, `secretAccessKey`,
 *     `authorization`, …; case, `_`, `-`, `.` and spaces ignored) holding a non-empty string
 *     (findSecrets: or a number); `pii.salt` (the PII hashing salt) too; never the fields of a
 *     `columns` object, which are column names (`pii.columns.password: "remove"`);
 *  2. in any string: the password of a URL (`postgresql://user:***@host/db`), the user info of an
 *     http(s) URL (`https://***@host/…`, tokens travel there), and secret parameters
 *     (`?token=***`, `&X-Amz-Signature=***`, libpq's `password=***`).
 */

/** What a redacted secret is replaced by. */
export const REDACTED = '***';

/** Field names (lower-case, without `_`, `-`, `.` and spaces) that hold secrets. */
const SECRET_FIELDS = new Set([
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'authorization',
  'credential',
  'credentials',
  'apikey',
  'privatekey',
  'accesskey',
  'accesskeyid',
  'secretaccesskey',
  'sessiontoken',
  'clientsecret',
  'sastoken',
]);

/** Suffixes of field names that hold secrets (`dbPassword`, `awsSecretAccessKey`, `githubAccessToken`). */
const SECRET_FIELD_SUFFIXES = [
  'password',
  'passwd',
  'secret',
  'secretkey',
  'accesskey',
  'accesskeyid',
  'apikey',
  'privatekey',
  'accesstoken',
  'authtoken',
  'apitoken',
  'sessiontoken',
  'refreshtoken',
  'bearertoken',
  'securitytoken',
  'idtoken',
  'sastoken',
];

/** A cheap test before normalising a field name: every secret name contains one of these. */
const SECRET_FIELD_HINT = /pass|pwd|secret|token|auth|cred|key/i;

/** Whether `key` (inside an object held by `parentKey`) names a secret. */
export function isSecretField(key: string, parentKey?: string): boolean {
  if (parentKey !== undefined && isSaltOf(key, parentKey)) return true;
  if (!SECRET_FIELD_HINT.test(key)) return false;
  // The fields of `columns` (`pii.columns`, a profile's, a privacy report's) are column names.
  if (parentKey !== undefined && normaliseField(parentKey) === 'columns') return false;
  const name = normaliseField(key);
  return SECRET_FIELDS.has(name) || SECRET_FIELD_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

function normaliseField(key: string): string {
  return key.toLowerCase().replace(/[-_. ]/g, '');
}

/** `pii.salt`: the salt of hashed PII columns (a secret; `salt` elsewhere, e.g. an A/B test's, is not). */
function isSaltOf(key: string, parentKey: string): boolean {
  return key.toLowerCase() === 'salt' && normaliseField(parentKey) === 'pii';
}

/** Query or libpq parameters that carry secrets. */
const SECRET_PARAMETERS = [
  'password',
  'passwd',
  'pwd',
  'sslpassword',
  'secret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth_token',
  'api_key',
  'apikey',
  'sig',
  'signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
];

// Kept character for character in step with the SQL of the redact_secrets migration.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]+@/gi;
const HTTP_USERINFO = /(https?:\/\/)[^\s/?#@]+@/gi;
const SECRET_PARAMETER = new RegExp(`(^|[\\s?&;])(${SECRET_PARAMETERS.join('|')})=[^\\s&#;]+`, 'gi');

/** `text` with the secrets of rule 2 replaced by `***`. */
export function redactText(text: string): string {
  if (!text.includes('://') && !text.includes('=')) return text;
  return text
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(HTTP_USERINFO, `$1${REDACTED}@`)
    .replace(SECRET_PARAMETER, `$1$2=${REDACTED}`);
}

/** Why `text` holds a secret (rule 2), or null; never the secret itself. */
export function secretInText(text: string): { reason: string; redacted: boolean } | null {
  if (!text.includes('://') && !text.includes('=')) return null;
  const password = new RegExp(URL_PASSWORD.source, 'i').exec(text);
  if (password) {
    const value = password[0].slice(password[1]!.length, -1);
    return { reason: 'a password in a URL', redacted: value === REDACTED };
  }
  const userinfo = new RegExp(HTTP_USERINFO.source, 'i').exec(text);
  if (userinfo) {
    const value = userinfo[0].slice(userinfo[1]!.length, -1);
    return { reason: 'credentials in the user part of a URL', redacted: value === REDACTED };
  }
  const parameter = new RegExp(SECRET_PARAMETER.source, 'i').exec(text);
  if (parameter) {
    const value = parameter[0].slice(parameter[0].indexOf('=') + 1);
    return { reason: `a ${parameter[2]!.toLowerCase()}= parameter`, redacted: value === REDACTED };
  }
  return null;
}

/** A secret field's value worth refusing: a non-empty string or a number (`"password": 123456`). */
function isSecretValue(value: unknown): boolean {
  return (typeof value === 'string' && value !== '') || typeof value === 'number';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export interface SecretFinding {
  /** Where: `source.connectionString`, `params.source.options.token`, with the caller's prefix. */
  field: string;
  /** What was found, without the secret: "a password in a URL", "a secret field". */
  reason: string;
  /** The secret was already replaced by `***` (a spec redacted when stored secrets were removed). */
  redacted: boolean;
}

/**
 * Every secret in a JSON-like value (plain objects, arrays, strings; anything else is not
 * looked into), with its path under `prefix`.
 */
export function findSecrets(value: unknown, prefix = ''): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  const walk = (node: unknown, path: string, parentKey: string | undefined): void => {
    if (typeof node === 'string') {
      const found = secretInText(node);
      if (found) findings.push({ field: path || '(value)', ...found });
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, join(path, String(i)), undefined));
    } else if (isPlainObject(node)) {
      for (const [key, child] of Object.entries(node)) {
        if (isSecretField(key, parentKey) && isSecretValue(child)) {
          const reason =
            parentKey !== undefined && isSaltOf(key, parentKey)
              ? 'the PII hashing salt, a secret'
              : 'a secret field';
          findings.push({ field: join(path, key), reason, redacted: child === REDACTED });
        } else {
          walk(child, join(path, key), key);
        }
      }
    }
  };
  walk(value, prefix, undefined);
  return findings;
}

/**
 * A copy of a JSON-like value with every secret replaced by `***`; anything that is not a plain
 * object, an array or a string (a Date, a BigInt, a stream) is kept as it is. Only strings are
 * replaced: numbers under names like `token` are mostly counts of data values (a profile's
 * `counts`, a label distribution), and a number in a secret field is refused on the way in.
 */
export function redactSecrets<T>(value: T): T {
  const walk = (node: unknown, parentKey: string | undefined): unknown => {
    if (typeof node === 'string') return redactText(node);
    if (Array.isArray(node)) return node.map((item) => walk(item, undefined));
    if (!isPlainObject(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      out[key] =
        typeof child === 'string' && child !== '' && isSecretField(key, parentKey)
          ? REDACTED
          : walk(child, key);
    }
    return out;
  };
  return walk(value, undefined) as T;
}
