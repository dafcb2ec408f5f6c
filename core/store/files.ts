import type { Database, ReadSession } from '../db/types';

export interface StoredFile {
  id: number;
  uuid: string;
  events: number;
  bytes: number;
  acceptedAt: number;
}

export interface PendingTotals {
  files: number;
  events: number;
}

type FileRow = { id: number | string; uuid: string; events: number | string; bytes: number | string; accepted_at: number | string };

const toFile = (r: FileRow): StoredFile => ({
  id: Number(r.id),
  uuid: String(r.uuid),
  events: Number(r.events),
  bytes: Number(r.bytes),
  acceptedAt: Number(r.accepted_at),
});

/**
 * Files waiting for the scheduled export. "Pending" is a state on each file, never an id
 * watermark: a file that commits late with a lower id (Galera) is still found.
 */
export class FileQueue {
  constructor(private readonly db: Database) {}

  async oldestPending(limit: number): Promise<StoredFile[]> {
    const rows = await this.db.all<FileRow>(
      'SELECT id, uuid, events, bytes, accepted_at FROM ah_files WHERE exported_at IS NULL ORDER BY accepted_at, id LIMIT ?',
      [limit],
    );
    return rows.map(toFile);
  }

  async pendingTotals(): Promise<PendingTotals> {
    const rows = await this.db.all<{ files: number | string; events: number | string | null }>(
      'SELECT COUNT(*) AS files, SUM(events) AS events FROM ah_files WHERE exported_at IS NULL',
    );
    return { files: Number(rows[0]?.files ?? 0), events: Number(rows[0]?.events ?? 0) };
  }

  /** Marks files exported; only those still pending, so a second marker changes nothing. Returns how many changed. */
  async markExported(fileIds: readonly number[], at = Date.now()): Promise<number> {
    if (fileIds.length === 0) return 0;
    const r = await this.db.run(`UPDATE ah_files SET exported_at = ? WHERE exported_at IS NULL AND id IN (${fileIds.map(() => '?').join(',')})`, [
      at,
      ...fileIds,
    ]);
    return r.affectedRows;
  }

  /**
   * One file's documents in line order, `pageSize` at a time (a file can be larger than a
   * batch), each in the driver's cheapest form: bytes from MySQL (slices of what the socket
   * read), a string from SQLite (better-sqlite3 makes a short string in ~1.4 µs and a
   * Buffer in ~5). Either way its UTF-8 encoding is exactly the stored text. Read by primary
   * key within the file's id range: a file's rows are inserted in line order in one
   * transaction, so its ids grow with its lines, and a clustered-key range reads sequential
   * pages where the (file_id, line) index costs a page per row.
   */
  async *documents(session: ReadSession, fileId: number, pageSize = 2000): AsyncGenerator<(Buffer | string)[]> {
    const bounds = await session.all<{ lo: number | string | null; hi: number | string | null }>(
      'SELECT MIN(id) AS lo, MAX(id) AS hi FROM ah_events WHERE file_id = ?',
      [fileId],
    );
    if (bounds[0]?.lo === null || bounds[0]?.lo === undefined) return;
    let afterId = Number(bounds[0].lo) - 1;
    const lastId = Number(bounds[0].hi);
    // The MySQL read session hands a column named `doc` over as bytes.
    const sql = `SELECT id, doc FROM ah_events ${this.db.sql.forcePrimaryKey()} WHERE id > ? AND id <= ? AND file_id = ? ORDER BY id LIMIT ?`;
    for (;;) {
      const rows = await session.all<{ id: number | string; doc: Buffer | string }>(sql, [afterId, lastId, fileId, pageSize]);
      if (rows.length === 0) return;
      yield rows.map((r) => r.doc);
      if (rows.length < pageSize) return;
      afterId = Number(rows[rows.length - 1].id);
    }
  }
}
