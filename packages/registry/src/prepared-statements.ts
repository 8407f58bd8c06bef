/**
 * Hot-path SQL that Postgres should parse and plan once per connection, not on every call.
 * The pipeline's per-stage statements are large data-modifying CTEs; sent unnamed, Postgres
 * re-parses and re-plans each one, and on a small machine that CPU is taken from the workers
 * themselves. `hotQuery` sends registered text as a named prepared statement on the registry's
 * hot-path pool (see client.ts for how those sessions plan); everything else stays unnamed,
 * so Prisma's many generated query shapes do not accumulate as prepared statements.
 *
 * Registered statements list their result columns (no `*`): a prepared plan must not change
 * its result type, and a migration adding a column would otherwise break live connections.
 */
const names = new Map<string, string>();

/** Registers `sql` under `name` (unique per text) and returns it unchanged. */
export function preparedStatement(name: string, sql: string): string {
  const statement = `lathe_${name}`;
  const existing = names.get(sql);
  if (existing === statement) return sql;
  if (existing) throw new Error(`statement registered twice: ${existing} and ${statement}`);
  if ([...names.values()].includes(statement))
    throw new Error(`statement name ${statement} is already used for other SQL`);
  names.set(sql, statement);
  return sql;
}

/** The statement name for registered SQL text; undefined: send it unnamed. */
export function preparedStatementName(sql: string): string | undefined {
  return names.get(sql);
}
