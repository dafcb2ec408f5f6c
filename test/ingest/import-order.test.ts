import fs from 'node:fs';
import path from 'node:path';
import { BACKENDS, createTestStore, type TestDatabase } from '../support/backends';
import { altisEvent, DAY, validated } from '../support/events';
import { storedDocuments, storedFiles } from './helpers';
import mysql from 'mysql2/promise';
import { importNdjson, ImportError } from '../../core/ingest/import';
import { PreviousFileFailed } from '../../core/store/ingest';
import { parseMysqlUrl } from '../../core/db/mysql';
import type { Store } from '../../core/store/store';

/** The day as the pull reads it: event_timestamp, then arrival. */
async function pulledDay(store: Store): Promise<string[]> {
  const { reader, close } = await store.openEventReader();
  try {
    const docs: string[] = [];
    for await (const page of reader.pages({ site: '1', from: DAY, to: DAY + 86_400_000 }, 4)) docs.push(...page.map((r) => r.doc.toString('utf8')));
    return docs;
  } finally {
    await close();
  }
}

describe.each(BACKENDS)('import, file after file, on %s', (backend) => {
  let store: Store;
  let db: TestDatabase;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, db, cleanup } = await createTestStore(backend));
  });
  afterEach(async () => cleanup());

  const importLines = (lines: string[], eventsPerFile: number) => {
    const file = path.join(db.dataDir, `in-${Date.now()}.ndjson`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return importNdjson(store, { path: file }, { eventsPerFile, maxEventBytes: 1 << 20, spoolDir: db.dataDir });
  };

  test('events sharing an event_timestamp across files are pulled in arrival order: file by file, line by line', async () => {
    // Three timestamps for 64 events in files of 7: every file ties with its neighbours.
    const lines = Array.from({ length: 64 }, (_, i) => JSON.stringify(altisEvent(DAY + (i % 3), { seq: i, pad: 'x'.repeat(i * 37) })));
    const summary = await importLines(lines, 7);
    expect(summary).toMatchObject({ files: 10, accepted: 64, duplicates: 0 });
    expect(await storedDocuments(store)).toEqual(lines);
    expect((await storedFiles(store)).map((f) => f.events)).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 7, 1]);
    const byTime = lines.map((l, i) => ({ l, ts: i % 3, i })).sort((a, b) => a.ts - b.ts || a.i - b.i).map((x) => x.l);
    expect(await pulledDay(store)).toEqual(byTime);
    expect(store.ingest.gaveWay).toBe(0);
  });

  test('two neighbouring files sharing an event_id: the first stores it, the second counts a duplicate', async () => {
    const ev = (seq: number, id: string) => JSON.stringify(altisEvent(DAY + seq, { seq, event_id: id }));
    const lines = [ev(0, 'a'), ev(1, 'b'), ev(2, 'c'), ev(3, 'd'), ev(4, 'b'), ev(5, 'e'), ev(6, 'f')];
    const summary = await importLines(lines, 3);
    expect(summary).toMatchObject({ files: 3, accepted: 6, duplicates: 1 });
    expect(await storedDocuments(store)).toEqual(lines.filter((_, i) => i !== 4));
  });

  test('a file failing in the store stops the import with the first files stored, none after it', async () => {
    // The store refuses one event of the third file (as a full disk or a lost server would).
    await store.db.run(
      backend === 'mysql'
        ? `CREATE TRIGGER ah_test_refuse BEFORE INSERT ON ah_events FOR EACH ROW BEGIN IF NEW.doc LIKE '%"refuse":true%' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF; END`
        : `CREATE TRIGGER ah_test_refuse BEFORE INSERT ON ah_events WHEN NEW.doc LIKE '%"refuse":true%' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
    );
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify(altisEvent(DAY + i, i === 12 ? { seq: i, refuse: true } : { seq: i })));
    const failure = await importLines(lines, 5).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ImportError);
    expect((failure as ImportError).message).toMatch(/^import stopped after storing 2 file\(s\) with 10 of 30 events: .*refused by the test/);
    expect((failure as ImportError).stored).toEqual({ files: 2, events: 10 });
    expect(await storedDocuments(store)).toEqual(lines.slice(0, 10));
    const rows = await store.db.all<{ n: number | string }>('SELECT COUNT(*) AS n FROM ah_events');
    expect(Number(rows[0].n)).toBe(10);
  });

  test('a file written ahead gives way when the previous one takes too long, then is stored once, in order', async () => {
    store.ingest.giveWayAfterMs = 100;
    const first = validated(Array.from({ length: 3 }, (_, i) => altisEvent(DAY, { seq: i })));
    const second = validated(Array.from({ length: 3 }, (_, i) => altisEvent(DAY, { seq: 3 + i })));
    let finishFirst!: () => void;
    const previous = new Promise<void>((resolve) => (finishFirst = resolve));
    let placed = 0;
    const a = await store.ingest.storeFile(first, 'import');
    const b = store.ingest.storeFile(second, 'import', { placed: () => placed++, previous });
    await new Promise((r) => setTimeout(r, 400));
    expect(store.ingest.gaveWay).toBe(1);
    // Rolled back and waiting: nothing of it is visible.
    expect(await storedDocuments(store)).toHaveLength(3);
    finishFirst();
    expect(await b).toMatchObject({ accepted: 3, duplicates: 0 });
    expect(placed).toBe(1);
    expect((await storedFiles(store)).map((f) => f.uuid)).toEqual([a.file, (await b).file]);
    expect((await pulledDay(store)).map((d) => (JSON.parse(d) as { seq: number }).seq)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('an event id already taken by a writer outside the id blocks fails the file loudly instead of dropping an event', async () => {
    if (backend !== 'mysql') return expect(store.ingest.filesInFlight).toBe(1); // SQLite keeps AUTOINCREMENT (one writer)
    await store.ingest.storeFile(validated([altisEvent(DAY, { seq: 0 }), altisEvent(DAY, { seq: 1 })]), 'http');
    const [{ next }] = await store.db.all<{ next: number | string }>("SELECT next_id AS next FROM ah_id_blocks WHERE name = 'ah_events'");
    // An older version of the host, still on AUTO_INCREMENT, writing the next id (not committed yet).
    const target = parseMysqlUrl(db.databaseUrl);
    const other = await mysql.createConnection({ host: target.hosts[0].host, port: target.hosts[0].port, user: target.user, password: target.password, database: target.database });
    try {
      await other.query('START TRANSACTION');
      await other.query("INSERT INTO ah_events (id, site, ts, file_id, line, event_type, event_id, doc) VALUES (?, '1', ?, 999999, 1, 'old', NULL, '{}')", [Number(next), DAY]);
      const stored = store.ingest.storeFile(validated([altisEvent(DAY, { seq: 2 }), altisEvent(DAY, { seq: 3 })]), 'http');
      stored.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      await other.query('COMMIT');
      await expect(stored).rejects.toThrow(/already used by rows written outside analytics-host's id blocks/);
    } finally {
      await other.end();
    }
    expect((await pulledDay(store)).map((d) => (JSON.parse(d) as { seq?: number }).seq)).toEqual([0, 1, undefined]);
    expect(await storedFiles(store)).toHaveLength(1);
    // A committed foreign row is stepped over: the next file takes ids past it.
    expect(await store.ingest.storeFile(validated([altisEvent(DAY, { seq: 4 })]), 'http')).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  test('a file written ahead is not stored when the one before it failed', async () => {
    const events = validated([altisEvent(DAY, { seq: 1 })]);
    const failed = Promise.reject(new Error('the previous file failed'));
    failed.catch(() => undefined);
    const outcome = await store.ingest.storeFile(events, 'import', { placed: () => undefined, previous: failed }).catch((err: unknown) => err);
    // Wrapped: the previous file's error (a deadlock errno, say) never makes this one retry.
    expect(outcome).toBeInstanceOf(PreviousFileFailed);
    expect((outcome as Error).message).toContain('the previous file failed');
    expect(await storedFiles(store)).toEqual([]);
    expect(await storedDocuments(store)).toEqual([]);
  });
});
