import { describe, expect, it } from 'vitest';
import { baseEnvSchema, loadConfig, redactUrl } from './config.ts';
import { ConfigError } from './errors.ts';

const good = {
  DATABASE_URL: 'postgresql://u:secret@127.0.0.1:5432/lathe',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

describe('loadConfig', () => {
  it('parses a valid environment and applies defaults', () => {
    const config = loadConfig(baseEnvSchema, good);
    expect(config.LATHE_QUEUE_PREFIX).toBe('lathe');
    expect(config.LATHE_LOG_LEVEL).toBe('info');
  });

  it('names the variable and the expectation in one line for a bad DATABASE_URL', () => {
    const attempt = () => loadConfig(baseEnvSchema, { ...good, DATABASE_URL: 'mysql://x' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^DATABASE_URL: expected a URL like postgresql:\/\/.*got "mysql:\/\/x"$/);
  });

  it('takes a Redis Cluster hash tag at the start of the queue prefix, and nothing else in braces', () => {
    expect(loadConfig(baseEnvSchema, { ...good, LATHE_QUEUE_PREFIX: '{lathe}' }).LATHE_QUEUE_PREFIX).toBe(
      '{lathe}',
    );
    expect(
      loadConfig(baseEnvSchema, { ...good, LATHE_QUEUE_PREFIX: '{lathe}:prod' }).LATHE_QUEUE_PREFIX,
    ).toBe('{lathe}:prod');
    for (const bad of ['lathe}', 'la{the}', '{}', '{lathe', 'a b'])
      expect(() => loadConfig(baseEnvSchema, { ...good, LATHE_QUEUE_PREFIX: bad })).toThrow(
        /^LATHE_QUEUE_PREFIX: /,
      );
  });

  it('says when a variable is missing', () => {
    expect(() => loadConfig(baseEnvSchema, { DATABASE_URL: good.DATABASE_URL })).toThrow(
      /^REDIS_URL: a value; it is not set$/,
    );
  });

  it('never prints a password', () => {
    expect(redactUrl('postgresql://u:secret@h/db')).toBe('postgresql://u:***@h/db');
    expect(() => loadConfig(baseEnvSchema, { ...good, REDIS_URL: 'http://u:secret@h' })).toThrow(/\*\*\*/);
  });
});
