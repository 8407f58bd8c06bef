/**
 * Where a request carries its API key: `Authorization: Bearer <key>`, `X-API-Key: <key>`, or
 * HTTP Basic with the key as the password (so a browser can open pages that cannot send custom
 * headers). Typed structurally (a header getter), so it needs no Express.
 */
export function presentedApiKey(header: (name: string) => string | undefined): string | undefined {
  const authorization = header('authorization');
  if (authorization) {
    const [scheme, value] = authorization.split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer' && value) return value;
    if (scheme?.toLowerCase() === 'basic' && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const password = decoded.slice(decoded.indexOf(':') + 1);
      return password || undefined;
    }
  }
  return header('x-api-key') || undefined;
}

/** Longer than any key Lathe issues: refused without hashing or a lookup. */
export const MAX_API_KEY_LENGTH = 200;
