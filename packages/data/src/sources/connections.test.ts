import { describe, expect, it } from 'vitest';
import { connectionsFromEnv, describeConnectionUrl } from './connections.ts';

const PASSWORD = 'Sup3r-s3cret';
const file = (text: string) => () => text;
const missing = () => {
  throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
};

describe('connections from the environment', () => {
  it('reads LATHE_CONNECTION_<NAME>_URL and LATHE_CONNECTIONS_FILE, names sorted', () => {
    const connections = connectionsFromEnv(
      {
        LATHE_CONNECTION_WAREHOUSE_URL: `postgresql://lathe:${PASSWORD}@db:5432/sales`,
        LATHE_CONNECTIONS_FILE: '/etc/lathe/connections.json',
        LATHE_CONNECTIONS_UNRELATED: 'x',
        PATH: '/bin',
      },
      file(JSON.stringify({ sales_eu: { url: `postgres://eu:${PASSWORD}@db-eu/sales` } })),
    );
    expect(connections.names).toEqual(['sales_eu', 'warehouse']);
    expect(connections.url('warehouse')).toBe(`postgresql://lathe:${PASSWORD}@db:5432/sales`);
    expect(connections.url('sales_eu')).toBe(`postgres://eu:${PASSWORD}@db-eu/sales`);
    expect(connections.inlineConnectionStrings).toBe('allow');
  });

  it('an unknown name fails with unknown_connection listing the known ones', () => {
    const connections = connectionsFromEnv({
      LATHE_CONNECTION_WAREHOUSE_URL: `postgresql://lathe:${PASSWORD}@db/sales`,
    });
    let error: unknown;
    try {
      connections.url('wharehouse');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'unknown_connection',
      permanent: true,
      details: { connection: 'wharehouse', known: ['warehouse'] },
    });
    expect((error as Error).message).toMatch(
      /no connection named "wharehouse".*the known ones are warehouse.*LATHE_CONNECTION_WHAREHOUSE_URL/,
    );
    expect((error as Error).message).not.toContain(PASSWORD);
    expect(() => connectionsFromEnv({}).url('warehouse')).toThrow(/none is configured/);
  });

  it.each([
    [
      { LATHE_CONNECTION_WAREHOUSE_URL: `mysql://u:${PASSWORD}@h/db` },
      /^LATHE_CONNECTION_WAREHOUSE_URL: expected a URL like postgresql:\/\/.*got "mysql:\/\/u@h\/db"$/,
    ],
    [
      { LATHE_CONNECTION_WAREHOUSE_URL: `not a url ${PASSWORD}` },
      /^LATHE_CONNECTION_WAREHOUSE_URL: .*does not parse as a URL \(it is not shown/,
    ],
    [
      { LATHE_CONNECTION_WAREHOUSE_URI: 'postgresql://h/db' },
      /^LATHE_CONNECTION_WAREHOUSE_URI: not a connection variable; a connection is LATHE_CONNECTION_<NAME>_URL/,
    ],
    [
      { LATHE_INLINE_CONNECTION_STRINGS: 'sometimes' },
      /^LATHE_INLINE_CONNECTION_STRINGS: expected allow or deny/,
    ],
    [
      { LATHE_CONNECTIONS_FILE: '/nope.json' },
      /^LATHE_CONNECTIONS_FILE \(\/nope\.json\): cannot be read: ENOENT$/,
    ],
  ])('refuses %o in one line, never showing the password', (env: Record<string, string>, message) => {
    const read = env.LATHE_CONNECTIONS_FILE ? missing : file('{}');
    expect(() => connectionsFromEnv(env, read)).toThrow(message);
    try {
      connectionsFromEnv(env, read);
    } catch (error) {
      expect((error as Error).message).not.toContain(PASSWORD);
      expect(error).toMatchObject({ code: 'invalid_config' });
    }
  });

  it.each([
    [
      `{"warehouse": {"url": "postgresql://u:${PASSWORD}@h/db",}}`,
      /not valid JSON; expected \{ "<name>": \{ "url"/,
    ],
    [
      JSON.stringify({ Warehouse: { url: 'postgresql://h/db' } }),
      /"Warehouse": a connection name: lower-case letters/,
    ],
    [
      JSON.stringify({ warehouse: { url: 'postgresql://h/db', password: PASSWORD } }),
      /warehouse: Unrecognized key/,
    ],
    [JSON.stringify({ warehouse: 'postgresql://h/db' }), /warehouse: .*expected object/],
    [
      JSON.stringify({ warehouse: { url: `redis://u:${PASSWORD}@h` } }),
      /warehouse\.url: expected a URL like postgresql/,
    ],
  ])('refuses a bad connections file: %s', (text, message) => {
    const env = { LATHE_CONNECTIONS_FILE: '/etc/lathe/connections.json' };
    expect(() => connectionsFromEnv(env, file(text))).toThrow(message);
    try {
      connectionsFromEnv(env, file(text));
    } catch (error) {
      expect((error as Error).message).not.toContain(PASSWORD);
    }
  });

  it('a name defined twice is an error; inline strings can be denied', () => {
    expect(() =>
      connectionsFromEnv(
        { LATHE_CONNECTION_WAREHOUSE_URL: 'postgresql://h/db', LATHE_CONNECTIONS_FILE: '/c.json' },
        file(JSON.stringify({ warehouse: { url: 'postgresql://h2/db' } })),
      ),
    ).toThrow(
      /connection warehouse is defined twice, by LATHE_CONNECTION_WAREHOUSE_URL and in LATHE_CONNECTIONS_FILE/,
    );
    expect(connectionsFromEnv({ LATHE_INLINE_CONNECTION_STRINGS: 'deny' }).inlineConnectionStrings).toBe(
      'deny',
    );
  });
});

describe('describeConnectionUrl', () => {
  it('keeps scheme, user, host and database; never the password or the parameters', () => {
    expect(
      describeConnectionUrl(`postgresql://lathe:${PASSWORD}@db:5432/sales?sslmode=require&password=x`),
    ).toBe('postgresql://lathe@db:5432/sales');
    expect(describeConnectionUrl(`host=db password=${PASSWORD}`)).toBe('(unparseable connection string)');
  });
});
