import type { Migration } from '../migrate';

/**
 * The query API (core/query): every query filters on site, event_type and a ts range, so
 * one index serves them all. On MariaDB the index also holds two virtual columns, the JSON
 * text of `attributes.url` and `endpoint.Id` cut to 301 / 129 characters (index keys are
 * bounded to 3072 bytes), so grouping by the page or counting distinct visitors reads the
 * index alone instead of every document. `q_cut` marks the rare rows whose copy was cut;
 * its small index lets a query see at once whether its range holds one (then it reads the
 * documents instead). Rows store nothing more: the columns are VIRTUAL.
 * JSON_VALID first (once, in q_valid): MariaDB's JSON functions refuse documents nested
 * deeper than 32 levels (or holding a lone surrogate escape), and in an INSERT under strict
 * mode that refusal would be an error — such a document must still be stored (its fields
 * then read as missing on MariaDB, as they do through JSON_EXTRACT in a SELECT).
 * SQLite cannot read a virtual column from an index without the row, so it gets the
 * plain (site, event_type, ts) index.
 */
export const queryIndex: Migration = {
  id: 2,
  name: 'query-index',
  sqlite: [`CREATE INDEX IF NOT EXISTS ah_events_query ON ah_events (site, event_type, ts)`],
  mysql: [
    `ALTER TABLE ah_events
      ADD COLUMN IF NOT EXISTS q_valid TINYINT AS (JSON_VALID(doc)) VIRTUAL,
      ADD COLUMN IF NOT EXISTS q_url VARCHAR(301) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
        AS (IF(q_valid, LEFT(JSON_EXTRACT(doc, '$.attributes.url'), 301), NULL)) VIRTUAL,
      ADD COLUMN IF NOT EXISTS q_endpoint_id VARCHAR(129) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
        AS (IF(q_valid, LEFT(JSON_EXTRACT(doc, '$.endpoint.Id'), 129), NULL)) VIRTUAL,
      ADD COLUMN IF NOT EXISTS q_cut TINYINT
        AS (IF(CHAR_LENGTH(q_url) > 300 OR CHAR_LENGTH(q_endpoint_id) > 128, 1, NULL)) VIRTUAL`,
    `CREATE INDEX IF NOT EXISTS ah_events_query ON ah_events (site, event_type, ts, q_url, q_endpoint_id)`,
    `CREATE INDEX IF NOT EXISTS ah_events_query_cut ON ah_events (q_cut, site, event_type, ts)`,
  ],
};
