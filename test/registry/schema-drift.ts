/**
 * Compares the models of schema.prisma (Prisma's DMMF, from `getDMMF`, which runs offline in
 * WASM) with a migrated database (information_schema / pg_catalog). Every difference is one
 * readable line, so a failing test says exactly what a missing migration forgot.
 *
 * Checked: tables, columns (type, precision, nullability, presence of a database default),
 * enums and their values, primary keys, unique constraints, indexes, foreign keys (columns,
 * target, ON DELETE action). `getDMMF` is Prisma's internal API: @prisma/internals is pinned.
 */
import { readFileSync } from 'node:fs';
import internals from '@prisma/internals';
import type pg from 'pg';

type Dmmf = Awaited<ReturnType<typeof internals.getDMMF>>;
type Query = <T extends pg.QueryResultRow>(sql: string, values?: unknown[]) => Promise<T[]>;

export async function loadDmmf(schemaText: string): Promise<Dmmf> {
  return internals.getDMMF({ datamodel: schemaText });
}

export async function loadDmmfFromFile(path: string): Promise<Dmmf> {
  return loadDmmf(readFileSync(path, 'utf8'));
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Boolean: 'boolean',
  Json: 'jsonb',
  Decimal: 'numeric',
  Bytes: 'bytea',
};

function expectedColumnType(field: Dmmf['datamodel']['models'][number]['fields'][number]): string {
  if (field.kind === 'enum') return `enum ${field.type}`;
  if (field.type === 'DateTime') {
    const native = field.nativeType as [string, string[]] | null;
    const precision = native?.[1]?.[0] ?? '3';
    return native?.[0] === 'Timestamptz' ? `timestamptz(${precision})` : `timestamp(${precision})`;
  }
  const type = SCALAR_TYPES[field.type];
  if (!type) throw new Error(`schema-drift: no mapping for Prisma type ${field.type}`);
  return type;
}

/** Prisma's default constraint names, as `migrate diff` writes them. */
function indexName(model: string, fields: string[], kind: 'unique' | 'normal'): string {
  return `${model}_${fields.join('_')}_${kind === 'unique' ? 'key' : 'idx'}`;
}

const ON_DELETE: Record<string, string> = {
  Cascade: 'c',
  Restrict: 'r',
  SetNull: 'n',
  NoAction: 'a',
  SetDefault: 'd',
};

export async function schemaDifferences(dmmf: Dmmf, query: Query, schema: string): Promise<string[]> {
  const differences: string[] = [];

  const columns = await query<{
    table_name: string;
    column_name: string;
    type: string;
    is_nullable: string;
    has_default: boolean;
  }>(
    `SELECT c.table_name, c.column_name, c.is_nullable, c.column_default IS NOT NULL AS has_default,
            CASE WHEN c.data_type = 'USER-DEFINED' THEN 'enum ' || c.udt_name
                 WHEN c.data_type = 'timestamp with time zone' THEN 'timestamptz(' || c.datetime_precision || ')'
                 WHEN c.data_type = 'timestamp without time zone' THEN 'timestamp(' || c.datetime_precision || ')'
                 ELSE c.data_type END AS type
       FROM information_schema.columns c
      WHERE c.table_schema = $1 AND c.table_name <> '_prisma_migrations'`,
    [schema],
  );
  const enums = await query<{ name: string; value: string }>(
    `SELECT t.typname AS name, e.enumlabel AS value
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 ORDER BY t.typname, e.enumsortorder`,
    [schema],
  );
  const indexes = await query<{
    table_name: string;
    index_name: string;
    is_unique: boolean;
    is_primary: boolean;
    columns: string[];
  }>(
    `SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
            array_agg(a.attname::text ORDER BY k.ordinality) AS columns
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ordinality)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = $1 AND t.relname <> '_prisma_migrations'
      GROUP BY t.relname, i.relname, ix.indisunique, ix.indisprimary`,
    [schema],
  );
  const foreignKeys = await query<{
    table_name: string;
    name: string;
    columns: string[];
    target: string;
    target_columns: string[];
    on_delete: string;
  }>(
    `SELECT t.relname AS table_name, c.conname AS name, f.relname AS target, c.confdeltype AS on_delete,
            (SELECT array_agg(a.attname::text ORDER BY k.o) FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS columns,
            (SELECT array_agg(a.attname::text ORDER BY k.o) FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS target_columns
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_class f ON f.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE c.contype = 'f' AND n.nspname = $1`,
    [schema],
  );

  // Enums
  const dbEnums = new Map<string, string[]>();
  for (const row of enums) dbEnums.set(row.name, [...(dbEnums.get(row.name) ?? []), row.value]);
  for (const enumDef of dmmf.datamodel.enums) {
    const expected = enumDef.values.map((v) => v.dbName ?? v.name);
    const actual = dbEnums.get(enumDef.dbName ?? enumDef.name);
    if (!actual) differences.push(`enum ${enumDef.name} is missing in the database`);
    else if (actual.join(',') !== expected.join(',')) {
      differences.push(
        `enum ${enumDef.name} has values [${actual.join(', ')}] in the database, [${expected.join(', ')}] in the schema`,
      );
    }
    dbEnums.delete(enumDef.dbName ?? enumDef.name);
  }
  for (const name of dbEnums.keys())
    differences.push(`enum ${name} exists in the database but not in the schema`);

  // Tables and columns
  const dbTables = new Map<string, Map<string, (typeof columns)[number]>>();
  for (const column of columns) {
    const table = dbTables.get(column.table_name) ?? new Map();
    table.set(column.column_name, column);
    dbTables.set(column.table_name, table);
  }
  for (const model of dmmf.datamodel.models) {
    const tableName = model.dbName ?? model.name;
    const table = dbTables.get(tableName);
    if (!table) {
      differences.push(`table ${tableName} (model ${model.name}) is missing in the database`);
      continue;
    }
    for (const field of model.fields) {
      if (field.kind === 'object') continue;
      const columnName = field.dbName ?? field.name;
      const column = table.get(columnName);
      if (!column) {
        differences.push(`column ${tableName}.${columnName} is missing in the database`);
        continue;
      }
      table.delete(columnName);
      // Prisma's scalar lists are Postgres arrays, created without NOT NULL whatever the schema says.
      const type = field.isList ? 'ARRAY' : expectedColumnType(field);
      if (column.type !== type)
        differences.push(
          `column ${tableName}.${columnName} is ${column.type} in the database, ${type} in the schema`,
        );
      const nullable = !field.isRequired || field.isList;
      if ((column.is_nullable === 'YES') !== nullable) {
        differences.push(
          `column ${tableName}.${columnName} is ${column.is_nullable === 'YES' ? 'nullable' : 'NOT NULL'} in the database, ${nullable ? 'optional' : 'required'} in the schema`,
        );
      }
      // uuid()/cuid() defaults are generated by the client, @updatedAt has none in the database.
      const defaultValue = field.default as { name?: string } | undefined | unknown;
      const clientSide =
        typeof defaultValue === 'object' &&
        defaultValue !== null &&
        'name' in defaultValue &&
        ['uuid', 'cuid', 'nanoid', 'ulid'].includes(String((defaultValue as { name: string }).name));
      const expectsDefault = field.hasDefaultValue && !clientSide;
      if (column.has_default !== expectsDefault) {
        differences.push(
          `column ${tableName}.${columnName} ${column.has_default ? 'has' : 'has no'} database default, the schema ${expectsDefault ? 'declares one' : 'declares none'}`,
        );
      }
    }
    for (const extra of table.keys())
      differences.push(`column ${tableName}.${extra} exists in the database but not in the schema`);
    dbTables.delete(tableName);
  }
  for (const extra of dbTables.keys())
    differences.push(`table ${extra} exists in the database but not in the schema`);

  // Primary keys, unique constraints and indexes
  const dbIndexes = new Map(indexes.map((ix) => [`${ix.table_name}.${ix.index_name}`, ix]));
  for (const index of dmmf.datamodel.indexes) {
    const model = dmmf.datamodel.models.find((m) => m.name === index.model)!;
    const tableName = model.dbName ?? model.name;
    const fieldNames = index.fields.map((f) => {
      const field = model.fields.find((candidate) => candidate.name === f.name)!;
      return field.dbName ?? field.name;
    });
    if (index.type !== 'id' && index.type !== 'unique' && index.type !== 'normal') continue;
    const name =
      index.dbName ??
      (index.type === 'id' ? `${tableName}_pkey` : indexName(tableName, fieldNames, index.type));
    const actual = dbIndexes.get(`${tableName}.${name}`);
    const label = index.type === 'id' ? 'primary key' : index.type === 'unique' ? 'unique index' : 'index';
    if (!actual) {
      differences.push(
        `${label} ${name} on ${tableName}(${fieldNames.join(', ')}) is missing in the database`,
      );
      continue;
    }
    dbIndexes.delete(`${tableName}.${name}`);
    if (actual.columns.join(',') !== fieldNames.join(',')) {
      differences.push(
        `${label} ${name} covers (${actual.columns.join(', ')}) in the database, (${fieldNames.join(', ')}) in the schema`,
      );
    }
    if (index.type === 'id' && !actual.is_primary)
      differences.push(`${name} is not a primary key in the database`);
    if (index.type === 'unique' && !actual.is_unique)
      differences.push(`index ${name} is not unique in the database`);
    if (index.type === 'normal' && actual.is_unique)
      differences.push(`index ${name} is unique in the database but not in the schema`);
  }
  for (const [key] of dbIndexes)
    differences.push(`index ${key} exists in the database but not in the schema`);

  // Foreign keys (relation fields that hold the foreign key)
  const dbForeignKeys = new Map(foreignKeys.map((fk) => [`${fk.table_name}.${fk.name}`, fk]));
  for (const model of dmmf.datamodel.models) {
    const tableName = model.dbName ?? model.name;
    for (const field of model.fields) {
      if (field.kind !== 'object' || !field.relationFromFields?.length) continue;
      const target = dmmf.datamodel.models.find((m) => m.name === field.type)!;
      const name = `${tableName}_${field.relationFromFields.join('_')}_fkey`;
      const actual = dbForeignKeys.get(`${tableName}.${name}`);
      if (!actual) {
        differences.push(
          `foreign key ${name} (${tableName}.${field.relationFromFields.join(', ')} → ${target.dbName ?? target.name}) is missing in the database`,
        );
        continue;
      }
      dbForeignKeys.delete(`${tableName}.${name}`);
      if (
        actual.target !== (target.dbName ?? target.name) ||
        actual.columns.join(',') !== field.relationFromFields.join(',')
      ) {
        differences.push(
          `foreign key ${name} points at ${actual.target}(${actual.target_columns.join(', ')}) in the database`,
        );
      }
      const onDelete =
        ON_DELETE[String(field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull'))];
      if (onDelete && actual.on_delete !== onDelete) {
        differences.push(
          `foreign key ${name} has ON DELETE '${actual.on_delete}' in the database, ${String(field.relationOnDelete)} in the schema`,
        );
      }
    }
  }
  for (const [key] of dbForeignKeys)
    differences.push(`foreign key ${key} exists in the database but not in the schema`);

  return differences;
}
