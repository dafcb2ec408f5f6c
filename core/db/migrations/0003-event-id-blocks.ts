import type { Migration } from '../migrate';

/**
 * MariaDB: events take their ids (their arrival order) from blocks handed out by one row,
 * not from AUTO_INCREMENT, so that a file's events are numbered together and files in the
 * order they were started, even while two files are written at once (`import` does, to use
 * a second server thread) — AUTO_INCREMENT would interleave their rows statement by
 * statement, and a tie in event_timestamp would then be pulled out of arrival order.
 * Seeded past every id stored so far. SQLite has one writer at a time: it keeps AUTOINCREMENT.
 */
export const eventIdBlocks: Migration = {
  id: 3,
  name: 'event-id-blocks',
  sqlite: [],
  mysql: [
    `CREATE TABLE IF NOT EXISTS ah_id_blocks (
      name VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
      next_id BIGINT UNSIGNED NOT NULL
    ) ENGINE=InnoDB`,
    `INSERT IGNORE INTO ah_id_blocks (name, next_id) SELECT 'ah_events', COALESCE(MAX(id), 0) + 1 FROM ah_events`,
  ],
};
