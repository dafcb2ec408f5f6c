import path from 'node:path';
import { MysqlDatabase, parseMysqlUrl } from './mysql';
import { SqliteDatabase } from './sqlite';
import type { Database } from './types';

export interface DatabaseLocation {
  /** mysql://… selects MySQL/MariaDB; otherwise the embedded SQLite file under dataDir. */
  databaseUrl?: string;
  dataDir: string;
}

export const SQLITE_FILE_NAME = 'analytics.sqlite';

export function openDatabase(location: DatabaseLocation): Database {
  if (location.databaseUrl) return new MysqlDatabase(parseMysqlUrl(location.databaseUrl));
  return new SqliteDatabase(path.join(location.dataDir, SQLITE_FILE_NAME));
}
