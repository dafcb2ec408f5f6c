import type { Migration } from '../migrate';

/**
 * Events are kept as the exact text received. Arrival order is the events' own id, but
 * nothing correct depends on ids growing in commit order: the export picks files by
 * their pending state, never by an id watermark (Galera steps ids and commits out of order).
 */
export const initial: Migration = {
  id: 1,
  name: 'initial',
  sqlite: [
    `CREATE TABLE IF NOT EXISTS ah_files (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      uuid TEXT NOT NULL UNIQUE,
      source TEXT NOT NULL,
      events INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      accepted_at INTEGER NOT NULL,
      exported_at INTEGER NULL
    )`,
    `CREATE INDEX IF NOT EXISTS ah_files_pending ON ah_files (exported_at, accepted_at, id)`,
    `CREATE TABLE IF NOT EXISTS ah_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      site TEXT NOT NULL,
      ts INTEGER NOT NULL,
      file_id INTEGER NOT NULL,
      line INTEGER NOT NULL,
      event_type TEXT NOT NULL,
      event_id TEXT NULL,
      doc TEXT NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS ah_events_site_ts ON ah_events (site, ts, id)`,
    `CREATE INDEX IF NOT EXISTS ah_events_file ON ah_events (file_id, line)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ah_events_event_id ON ah_events (site, event_id)`,
    `CREATE TABLE IF NOT EXISTS ah_fields (
      site TEXT NOT NULL,
      day INTEGER NOT NULL,
      field TEXT NOT NULL,
      PRIMARY KEY (site, day, field)
    ) WITHOUT ROWID`,
    `CREATE TABLE IF NOT EXISTS ah_users (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      login TEXT NOT NULL UNIQUE,
      email TEXT NOT NULL,
      role TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ah_app_passwords (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      uuid TEXT NOT NULL UNIQUE,
      user_id INTEGER NOT NULL,
      name TEXT NOT NULL,
      hash TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_used INTEGER NULL,
      last_ip TEXT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS ah_app_passwords_user ON ah_app_passwords (user_id)`,
    `CREATE TABLE IF NOT EXISTS ah_options (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ah_leases (
      name TEXT PRIMARY KEY,
      owner TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    )`,
  ],
  mysql: [
    `CREATE TABLE IF NOT EXISTS ah_files (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      uuid CHAR(36) CHARACTER SET ascii NOT NULL,
      source VARCHAR(16) CHARACTER SET ascii NOT NULL,
      events INT UNSIGNED NOT NULL,
      bytes BIGINT UNSIGNED NOT NULL,
      accepted_at BIGINT NOT NULL,
      exported_at BIGINT NULL,
      UNIQUE KEY ah_files_uuid (uuid),
      KEY ah_files_pending (exported_at, accepted_at, id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    `CREATE TABLE IF NOT EXISTS ah_events (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      site VARCHAR(64) NOT NULL,
      ts BIGINT NOT NULL,
      file_id BIGINT UNSIGNED NOT NULL,
      line INT UNSIGNED NOT NULL,
      event_type VARCHAR(255) NOT NULL,
      event_id VARCHAR(128) NULL,
      doc LONGTEXT NOT NULL,
      KEY ah_events_site_ts (site, ts, id),
      KEY ah_events_file (file_id, line),
      UNIQUE KEY ah_events_event_id (site, event_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    `CREATE TABLE IF NOT EXISTS ah_fields (
      site VARCHAR(64) NOT NULL,
      day INT NOT NULL,
      field VARCHAR(512) NOT NULL,
      PRIMARY KEY (site, day, field)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    `CREATE TABLE IF NOT EXISTS ah_users (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      login VARCHAR(60) NOT NULL,
      email VARCHAR(100) NOT NULL,
      role VARCHAR(32) NOT NULL,
      created_at BIGINT NOT NULL,
      UNIQUE KEY ah_users_login (login)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    `CREATE TABLE IF NOT EXISTS ah_app_passwords (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      uuid CHAR(36) CHARACTER SET ascii NOT NULL,
      user_id BIGINT UNSIGNED NOT NULL,
      name VARCHAR(191) NOT NULL,
      hash CHAR(64) CHARACTER SET ascii NOT NULL,
      created_at BIGINT NOT NULL,
      last_used BIGINT NULL,
      last_ip VARCHAR(45) NULL,
      UNIQUE KEY ah_app_passwords_uuid (uuid),
      KEY ah_app_passwords_user (user_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    `CREATE TABLE IF NOT EXISTS ah_options (
      name VARCHAR(191) NOT NULL PRIMARY KEY,
      value LONGTEXT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    `CREATE TABLE IF NOT EXISTS ah_leases (
      name VARCHAR(191) NOT NULL PRIMARY KEY,
      owner VARCHAR(191) NOT NULL,
      expires_at BIGINT NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  ],
};
