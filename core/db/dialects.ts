import type { Dialect } from './types';

function placeholders(columns: readonly string[], rowCount: number): string {
  const row = `(${columns.map(() => '?').join(',')})`;
  return new Array<string>(rowCount).fill(row).join(',');
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  insertIgnoringDuplicates(table, columns, rowCount, conflictColumns) {
    return `INSERT INTO ${table} (${columns.join(',')}) VALUES ${placeholders(columns, rowCount)} ON CONFLICT (${conflictColumns.join(',')}) DO NOTHING`;
  },
  upsert(table, columns, keyColumns) {
    const updates = columns.filter((c) => !keyColumns.includes(c)).map((c) => `${c}=excluded.${c}`);
    return `INSERT INTO ${table} (${columns.join(',')}) VALUES ${placeholders(columns, 1)} ON CONFLICT (${keyColumns.join(',')}) DO UPDATE SET ${updates.join(',')}`;
  },
  forceIndex(index) {
    return `INDEXED BY ${index}`;
  },
  docAsBytes(column) {
    return `CAST(${column} AS BLOB) AS doc`;
  },
  forcePrimaryKey() {
    // Without it the planner takes an index on an equality column (file_id) and sorts.
    return 'NOT INDEXED';
  },
  jsonScalar(column) {
    return `json_extract(${column}, ?)`;
  },
};

export const mysqlDialect: Dialect = {
  name: 'mysql',
  insertIgnoringDuplicates(table, columns, rowCount, conflictColumns) {
    // Not INSERT IGNORE: that would also turn truncation and other errors into warnings.
    const noop = conflictColumns[0];
    return `INSERT INTO ${table} (${columns.join(',')}) VALUES ${placeholders(columns, rowCount)} ON DUPLICATE KEY UPDATE ${noop}=${noop}`;
  },
  upsert(table, columns, keyColumns) {
    const updates = columns.filter((c) => !keyColumns.includes(c)).map((c) => `${c}=VALUES(${c})`);
    return `INSERT INTO ${table} (${columns.join(',')}) VALUES ${placeholders(columns, 1)} ON DUPLICATE KEY UPDATE ${updates.join(',')}`;
  },
  forceIndex(index) {
    return `FORCE INDEX (${index})`;
  },
  forcePrimaryKey() {
    return 'FORCE INDEX (PRIMARY)';
  },
  docAsBytes(column) {
    // The read session's typeCast hands the `doc` column over as a Buffer.
    return `${column} AS doc`;
  },
  jsonScalar(column) {
    return `JSON_UNQUOTE(JSON_EXTRACT(${column}, ?))`;
  },
};
