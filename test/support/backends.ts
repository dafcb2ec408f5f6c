import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { parseMysqlUrl } from '../../core/db/mysql';
import { openStore, type Store } from '../../core/store/store';
import type { DatabaseLocation } from '../../core/db/open';

/** The MariaDB server the suites use; CI sets it, and it is never optional: no skipped backend. */
export const TEST_MYSQL_URL = process.env.ANALYTICS_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export type BackendName = 'sqlite' | 'mysql';
export const BACKENDS: readonly BackendName[] = ['sqlite', 'mysql'];

export interface TestDatabase {
  backend: BackendName;
  location: DatabaseLocation;
  /** DATABASE_URL for child processes ('' for SQLite). */
  databaseUrl: string;
  dataDir: string;
  drop(): Promise<void>;
}

function serverUrl(database: string): string {
  const t = parseMysqlUrl(TEST_MYSQL_URL);
  const auth = t.password ? `${encodeURIComponent(t.user)}:${encodeURIComponent(t.password)}` : encodeURIComponent(t.user);
  return `mysql://${auth}@${t.hosts.map((h) => `${h.host}:${h.port}`).join(',')}/${database}`;
}

async function adminConnection() {
  const t = parseMysqlUrl(TEST_MYSQL_URL);
  return mysql.createConnection({ host: t.hosts[0].host, port: t.hosts[0].port, user: t.user, password: t.password });
}

/** A fresh, empty database of the given backend: a temp SQLite file, or a new MariaDB database. */
export async function createTestDatabase(backend: BackendName): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ah-test-'));
  if (backend === 'sqlite') {
    return {
      backend,
      location: { dataDir },
      databaseUrl: '',
      dataDir,
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `ah_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await adminConnection();
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.end();
  }
  const databaseUrl = serverUrl(name);
  return {
    backend,
    location: { dataDir, databaseUrl },
    databaseUrl,
    dataDir,
    drop: async () => {
      const a = await adminConnection();
      try {
        await a.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await a.end();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A migrated store on a fresh database, and a function that closes and drops both. */
export async function createTestStore(backend: BackendName): Promise<{ store: Store; db: TestDatabase; cleanup(): Promise<void> }> {
  const db = await createTestDatabase(backend);
  const store = await openStore(db.location);
  return {
    store,
    db,
    cleanup: async () => {
      await store.close();
      await db.drop();
    },
  };
}
