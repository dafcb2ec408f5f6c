import fs from 'node:fs';
import path from 'node:path';
import { createTestStore } from '../support/backends';
import { altisEvent, DAY, validated } from '../support/events';
import { eventually } from '../export/http';
import { SqliteDatabase } from '../../core/db/sqlite';
import { openStore } from '../../core/store/store';

describe('SQLite WAL checkpoints on a thread of their own', () => {
  test('the pages written reach the database file without the writer checkpointing, and nothing is lost', async () => {
    const { store, db, cleanup } = await createTestStore('sqlite');
    try {
      const sqlite = store.db as SqliteDatabase;
      expect(sqlite).toBeInstanceOf(SqliteDatabase);
      const file = sqlite.file;
      const before = fs.statSync(file).size;
      // 6,000 events of ~2 KB: far below the writer's own autocheckpoint (10,000 pages of 16 KiB).
      for (let f = 0; f < 3; f++) {
        const events = validated(Array.from({ length: 2000 }, (_, i) => altisEvent(DAY + f * 2000 + i, { pad: 'p'.repeat(1500) })));
        await store.ingest.storeFile(events, 'import');
      }
      expect(await eventually(() => (sqlite.checkpointer?.completed ?? 0) >= 1)).toBe(true);
      // Backfilled into the main file by the other thread (the writer never checkpointed): it grew
      // by what the first two files wrote (~8 MB).
      expect(await eventually(() => fs.statSync(file).size - before > 5 * 1024 * 1024)).toBe(true);
      await store.close();
      const again = await openStore({ dataDir: db.dataDir });
      try {
        const rows = await again.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM ah_events');
        expect(Number(rows[0].n)).toBe(6000);
      } finally {
        await again.close();
      }
      expect(fs.existsSync(path.join(path.dirname(file), `${path.basename(file)}-wal`))).toBe(false);
    } finally {
      await cleanup();
    }
  });

  test('few writes start no thread; closing with a checkpoint under way waits for it', async () => {
    const { store, cleanup } = await createTestStore('sqlite');
    try {
      const sqlite = store.db as SqliteDatabase;
      await store.ingest.storeFile(validated([altisEvent(DAY)]), 'http');
      expect(sqlite.checkpointer?.completed).toBe(0);
      await store.ingest.storeFile(validated(Array.from({ length: 5000 }, (_, i) => altisEvent(DAY + i))), 'import');
      // close() right after the kick: it waits for the thread instead of leaving it behind.
      await store.close();
      expect(sqlite.checkpointer?.running).toBe(false);
    } finally {
      await cleanup();
    }
  });
});
