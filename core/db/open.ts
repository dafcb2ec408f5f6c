import path from 'node:path';
import { MysqlDatabase, parseMysqlUrl } from './mysql';
import { SqliteDatabase } from './sqlite';
import type { Database } from './types';

export interface DatabaseLocation {
  /** mysql://… selects MySQL/MariaDB; otherwise the embedded SQLite file under dataDir. */
  databaseUrl?: string;
  dataDir: string;
  /** Told when a multi-host MySQL pool moves to another host (failover, failback). */
  log?: (message: string) => void;
}

export const SQLITE_FILE_NAME = 'analytics.sqlite';

export function openDatabase(location: DatabaseLocation): Database {
  if (location.databaseUrl) return new MysqlDatabase(parseMysqlUrl(location.databaseUrl), {}, { log: location.log });
  return new SqliteDatabase(path.join(location.dataDir, SQLITE_FILE_NAME));
}
