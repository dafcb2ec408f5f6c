import type { Database } from './types';
import { migrations as allMigrations } from './migrations';

export interface Migration {
  id: number;
  name: string;
  /** Statements must be idempotent (IF NOT EXISTS …): two processes may run them at once. */
  sqlite: readonly string[];
  mysql: readonly string[];
}

export interface MigrationReport {
  applied: string[];
  current: number;
}

const CREATE_TABLE = {
  sqlite: `CREATE TABLE IF NOT EXISTS ah_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
  mysql: `CREATE TABLE IF NOT EXISTS ah_migrations (id INT NOT NULL PRIMARY KEY, name VARCHAR(191) NOT NULL, applied_at BIGINT NOT NULL) ENGINE=InnoDB`,
};

/** Deadlock / certification conflict, lock wait timeout, statement aborted by a replicated DDL. */
const MIGRATION_RETRY_ERRNO = new Set([1213, 1205, 1317]);

/**
 * Brings the schema up to date. Safe when several processes start together: every
 * statement is idempotent and the bookkeeping insert ignores a row another process
 * wrote first — no reliance on GET_LOCK, which is node-local on Galera.
 */
export async function migrate(db: Database, list: readonly Migration[] = allMigrations): Promise<MigrationReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(db, list);
    } catch (err) {
      // Galera: instances starting together on different nodes meet in certification
      // conflicts (1213) on the bookkeeping row or under a DDL of the other node, and a
      // statement of ours that holds a table's metadata lock while the other node's DDL
      // on that table is applied here is aborted by it (1317, "Query execution was
      // interrupted"). Every statement is idempotent, so the whole migration runs again.
      const errno = (err as { errno?: number }).errno;
      if (errno === undefined || !MIGRATION_RETRY_ERRNO.has(errno) || attempt >= 6) throw err;
      await new Promise((r) => setTimeout(r, 20 * 2 ** attempt + Math.random() * 50));
    }
  }
}

async function migrateOnce(db: Database, list: readonly Migration[]): Promise<MigrationReport> {
  await db.run(CREATE_TABLE[db.dialect]);
  const done = new Set((await db.all<{ id: number }>('SELECT id FROM ah_migrations')).map((r) => Number(r.id)));
  const applied: string[] = [];
  for (const m of [...list].sort((a, b) => a.id - b.id)) {
    if (done.has(m.id)) continue;
    for (const statement of m[db.dialect]) await db.run(statement);
    const insert =
      db.dialect === 'mysql'
        ? 'INSERT INTO ah_migrations (id, name, applied_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE id = id'
        : 'INSERT INTO ah_migrations (id, name, applied_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING';
    await db.run(insert, [m.id, m.name, Date.now()]);
    applied.push(`${String(m.id).padStart(4, '0')}-${m.name}`);
  }
  const current = list.reduce((max, m) => Math.max(max, m.id), 0);
  return { applied, current };
}
