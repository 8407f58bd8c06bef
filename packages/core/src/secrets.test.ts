import { describe, expect, it } from 'vitest';
import { findSecrets, isSecretField, redactSecrets, redactText, REDACTED, secretInText } from './secrets.ts';

describe('redactText', () => {
  it.each([
    ['postgresql://lathe:hunter2@db:5432/sales', 'postgresql://lathe:***@db:5432/sales'],
    ['postgres://u:p%40ss@h/db?sslmode=require', 'postgres://u:***@h/db?sslmode=require'],
    [
      'cannot connect to postgresql://a:b@h/db: refused; retry postgresql://c:d@h2/db',
      'cannot connect to postgresql://a:***@h/db: refused; retry postgresql://c:***@h2/db',
    ],
    ['https://ghp_abc123@github.com/org/data.csv', 'https://***@github.com/org/data.csv'],
    ['https://user:tok@files.example/x.csv', 'https://***@files.example/x.csv'],
    ['https://files.example/x.csv?token=abc&format=csv', 'https://files.example/x.csv?token=***&format=csv'],
    [
      'https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=deadbeef',
      'https://b.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Signature=***',
    ],
    ['postgresql://u@h/db?password=pw', 'postgresql://u@h/db?password=***'],
    ['host=db user=lathe password=pw dbname=sales', 'host=db user=lathe password=*** dbname=sales'],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
    expect(redactText(expected)).toBe(expected); // idempotent
  });

  it('leaves what holds no secret as it is', () => {
    for (const text of [
      'postgresql://lathe@db:5432/sales',
      'https://example.com/a?email=x@y.com',
      'mailto:a@b.c',
      'a = b',
      'passwords are rotated',
      'tokenizer=bpe',
    ]) {
      expect(redactText(text)).toBe(text);
    }
  });
});

describe('secret fields', () => {
  it('knows secret names whatever their case or separators, and only pii.salt of the salts', () => {
    for (const key of [
      'password',
      'PASSWORD',
      'db_password',
      'dbPassword',
      'secret',
      'token',
      'Authorization',
      'apiKey',
      'api-key',
      'accessKeyId',
      'secretAccessKey',
      'aws_secret_access_key',
      'githubAccessToken',
      'credentials',
      'privateKey',
    ]) {
      expect(isSecretField(key), key).toBe(true);
    }
    for (const key of [
      'apiKeyId',
      'idempotencyKey',
      'tokens',
      'tokenizer',
      'maxTokens',
      'oovToken',
      'key',
      'salt',
      'passThrough',
      'authMode',
    ]) {
      expect(isSecretField(key), key).toBe(false);
    }
    expect(isSecretField('salt', 'pii')).toBe(true);
    expect(isSecretField('salt', 'abTest')).toBe(false);
    expect(isSecretField('password', 'columns')).toBe(false);
  });
});

describe('findSecrets', () => {
  it('names every secret with its path, never the secret', () => {
    const findings = findSecrets(
      {
        source: { kind: 'postgres', connectionString: 'postgresql://u:topsecret@h/db', query: 'select 1' },
        pii: { salt: 'pepper-pepper', columns: { password: 'remove' } },
        options: { aws: { secretAccessKey: 'wJalr', accessKeyId: 'AKIA' }, pin: { password: 1234 } },
        list: ['https://files.example/a.csv?token=t0k'],
      },
      'body',
    );
    expect(findings.map((f) => f.field).sort()).toEqual([
      'body.list.0',
      'body.options.aws.accessKeyId',
      'body.options.aws.secretAccessKey',
      'body.options.pin.password',
      'body.pii.salt',
      'body.source.connectionString',
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/topsecret|pepper|wJalr|AKIA|1234|t0k/);
    expect(findings.every((f) => !f.redacted)).toBe(true);
  });

  it('tells a redacted secret apart', () => {
    expect(findSecrets({ connectionString: `postgresql://u:${REDACTED}@h/db` })).toEqual([
      { field: 'connectionString', reason: 'a password in a URL', redacted: true },
    ]);
    expect(secretInText('postgresql://u@h/db')).toBeNull();
  });

  it('finds nothing in what holds none', () => {
    expect(
      findSecrets({
        kind: 'postgres',
        connection: 'warehouse',
        query: 'select password from users',
        pii: { columns: { api_token: 'hash' } },
        token: '',
      }),
    ).toEqual([]);
  });
});

describe('redactSecrets', () => {
  it('replaces secret strings and URL passwords, keeps everything else', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const value = {
      source: { connectionString: 'postgresql://u:pw@h/db', query: 'select 1' },
      pii: { salt: 'pepper-pepper', columns: { password: 'remove' } },
      headers: { Authorization: 'Bearer abc' },
      counts: { token: 12, password: 3 },
      security: [{ apiKey: [] }],
      at,
      size: 5n,
    };
    expect(redactSecrets(value)).toEqual({
      source: { connectionString: 'postgresql://u:***@h/db', query: 'select 1' },
      pii: { salt: '***', columns: { password: 'remove' } },
      headers: { Authorization: '***' },
      counts: { token: 12, password: 3 },
      security: [{ apiKey: [] }],
      at,
      size: 5n,
    });
    expect(value.source.connectionString).toBe('postgresql://u:pw@h/db'); // a copy
  });
});
