import { describe, expect, it } from 'vitest';
import { ConfigError, LatheError } from './errors.ts';
import { formatStartupError } from './run-main.ts';

describe('formatStartupError', () => {
  it('prints a configuration error as the one line that names the variable', () => {
    const line = formatStartupError(
      'train',
      new ConfigError('REDIS_URL: expected a URL like redis://host:6379; got "x"'),
    );
    expect(line).toBe('[train] REDIS_URL: expected a URL like redis://host:6379; got "x"');
  });

  it('keeps the code of other errors and only the first line of their message', () => {
    expect(formatStartupError('api', new LatheError('boom', 'first\nsecond'))).toBe(
      '[api] error (boom): first',
    );
    expect(formatStartupError('api', new Error('plain'))).toBe('[api] error (internal_error): plain');
  });
});
