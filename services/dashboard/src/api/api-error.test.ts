import { describe, expect, it } from 'vitest';
import { apiErrorFrom } from './api-error.ts';

describe('apiErrorFrom', () => {
  it('tells the user to enter another key on 401', () => {
    const error = apiErrorFrom(
      401,
      { status: 401, code: 'invalid_api_key', detail: 'the API key is not valid (unknown or revoked)' },
      'GET /experiments',
    );
    expect(error.isUnauthenticated).toBe(true);
    expect(error.code).toBe('invalid_api_key');
    expect(error.message).toMatch(/refused the key/);
    expect(error.message).toMatch(/Enter a valid API key/);
  });

  it('names the missing role on 403', () => {
    const error = apiErrorFrom(
      403,
      { code: 'insufficient_role', detail: 'this route needs the editor role; key abc… has viewer' },
      'POST /experiments/x/runs',
    );
    expect(error.isUnauthenticated).toBe(false);
    expect(error.message).toContain('needs the editor role');
    expect(error.message).toMatch(/Ask an admin/);
  });

  it('keeps the detail and field errors of a validation problem', () => {
    const error = apiErrorFrom(
      422,
      {
        code: 'validation_failed',
        detail: 'body is invalid',
        errors: [{ field: 'body.cron', message: 'too short' }],
      },
      'Create schedule',
    );
    expect(error.message).toBe(
      'Create schedule failed (422 validation_failed): body is invalid [body.cron: too short]',
    );
  });

  it('falls back to the status when the body is not a problem', () => {
    const error = apiErrorFrom(502, null, 'GET /runs');
    expect(error.code).toBe('http_502');
    expect(error.message).toBe('GET /runs failed (502 http_502)');
  });
});
