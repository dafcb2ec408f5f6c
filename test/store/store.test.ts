import { BACKENDS, createTestStore } from '../support/backends';
import { altisEvent, DAY, validated } from '../support/events';
import { parseEventText } from '../../core/events/validate';
import type { Store } from '../../core/store/store';
import { EventReader } from '../../core/store/event-reader';
import { ReadAhead } from '../../core/store/read-ahead';
import type { SqlValue } from '../../core/db/types';

describe.each(BACKENDS)('store on %s', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, cleanup } = await createTestStore(backend));
  });
  afterEach(async () => cleanup());

  type Ran = { sql: string; params: unknown[]; rows: Record<string, unknown>[] }[];
  /** A warmer that runs each statement on the store's pool and records it with its rows. */
  const recordingWarmer = (ran: Ran) => async (sql: string, params: SqlValue[]) => {
    const rows = await store.db.all<Record<string, unknown>>(sql, params);
    ran.push({ sql, params, rows });
    return rows;
  };

  test('a read-ahead warms the rows after a gap of a twelfth of its lead, then goes on from its frontier, never reading an index entry twice', async () => {
    // Lines 1..30 of one file, timestamps in reverse so that (ts, id) order is not line order.
    const docs = Array.from({ length: 30 }, (_, i) => altisEvent(DAY + 100 - i));
    await store.ingest.storeFile(validated(docs), 'import');
    const ran: Ran = [];
    let release: () => void = () => undefined;
    let gate = new Promise<void>((r) => (release = r));
    const record = recordingWarmer(ran);
    // Each statement, once run and recorded, holds its warm-up until the test opens the gate.
    const warmer = async (sql: string, params: SqlValue[]) => {
      const rows = await record(sql, params);
      await gate;
      return rows;
    };
    const settle = () => new Promise((r) => setTimeout(r, 50));
    const open = () => {
      release();
      gate = new Promise<void>((r) => (release = r));
    };
    const lineOf = async (id: unknown) => Number((await store.db.all<{ line: number }>('SELECT line FROM ah_events WHERE id = ?', [Number(id)]))[0].line);
    const w = { site: '1', from: DAY, to: DAY + 86_400_000 };
    const ahead = new ReadAhead(warmer, store.db.sql, w, { leadRows: 12, parts: 2 });
    const session = await store.db.openReadSession();
    try {
      const rows = await new EventReader(session, store.db.sql).page(w, null, 30);
      const at = (n: number) => ({ ts: rows[n - 1].ts, id: rows[n - 1].id });
      // In (ts, id) order the lines run 30, 29, … 1. Nothing read yet: rows 2..12 (a gap of one).
      ahead.progress(null, 0, 0);
      ahead.progress(null, 0, 0);
      await settle();
      expect(ran).toHaveLength(1);
      expect(Number(ran[0].rows[0].n)).toBe(11);
      expect([await lineOf(ran[0].rows[0].hi), await lineOf(ran[0].rows[0].lo)]).toEqual([29, 19]);
      open();
      await settle();
      // Their stretch of the primary key, counted in two parts side by side.
      expect(ran).toHaveLength(3);
      for (const r of ran.slice(1)) expect(r.sql).toMatch(/SELECT COUNT\(\*\) AS n FROM ah_events .* WHERE id >= \? AND id <= \?/);
      expect(ran.slice(1).map((r) => Number(r.rows[0].n)).sort()).toEqual([5, 6]);
      open();
      await settle();
      // 6 rows read: rows 13..18 come next, from the frontier, with no OFFSET.
      ahead.progress(at(6), 6, 0);
      await settle();
      expect(ran).toHaveLength(4);
      expect(ran[3].sql).not.toMatch(/OFFSET/);
      expect(Number(ran[3].rows[0].n)).toBe(6);
      expect([await lineOf(ran[3].rows[0].hi), await lineOf(ran[3].rows[0].lo)]).toEqual([18, 13]);
      open();
      await settle();
      // 3 bytes a row read and a lead of 45 bytes: 15 rows, after a gap of two (a new pull, no frontier).
      const spans = () => ran.filter((r) => /AS last_ts/.test(r.sql));
      const bytesAhead = new ReadAhead(warmer, store.db.sql, w, { leadRows: 20, leadBytes: 45, parts: 1 });
      bytesAhead.progress(at(10), 10, 30);
      await settle();
      expect(spans()).toHaveLength(3);
      expect(spans()[2].params.slice(-2)).toEqual([13, 2]);
      expect(Number(spans()[2].rows[0].n)).toBe(13);
      open();
      await settle();
      open();
      await settle();
      // The pull overtook the frontier (24 rows read): from its position, the 5 rows left after the gap; then no more.
      ahead.progress(at(24), 24, 0);
      await settle();
      expect(spans()).toHaveLength(4);
      expect(Number(spans()[3].rows[0].n)).toBe(5);
      open();
      await settle();
      ahead.progress(at(25), 25, 0);
      await settle();
      expect(spans()).toHaveLength(4);
    } finally {
      release();
      await session.close();
    }
  });

  test('a read-ahead stops at the limit of a paged answer', async () => {
    await store.ingest.storeFile(validated(Array.from({ length: 20 }, (_, i) => altisEvent(DAY + i))), 'import');
    const ran: Ran = [];
    const ahead = new ReadAhead(recordingWarmer(ran), store.db.sql, { site: '1', from: DAY, to: DAY + 86_400_000 }, { leadRows: 12, limit: 7 });
    ahead.progress(null, 0, 0);
    await new Promise((r) => setTimeout(r, 50));
    ahead.progress(null, 0, 0);
    await new Promise((r) => setTimeout(r, 50));
    // Rows 2..7 of the answer, once.
    expect(ran.filter((r) => /AS last_ts/.test(r.sql)).map((r) => Number(r.rows[0].n))).toEqual([6]);
  });

  test('a read-ahead of rows whose ids lie far apart looks each one up by its key', async () => {
    // Twenty lines; in (ts, id) order lines 1, 10, 20 and 2 come first, the rest after them.
    const ts = (line: number) => DAY + ([1, 10, 20, 2].includes(line) ? [1, 10, 20, 2].indexOf(line) : 100 + line);
    await store.ingest.storeFile(validated(Array.from({ length: 20 }, (_, i) => altisEvent(ts(i + 1)))), 'import');
    const ran: Ran = [];
    const ahead = new ReadAhead(recordingWarmer(ran), store.db.sql, { site: '1', from: DAY, to: DAY + 86_400_000 }, { limit: 4, leadRows: 12 });
    ahead.progress(null, 0, 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(ran).toHaveLength(2);
    // Lines 10 + 20 + 2 (after the gap of one), each row read through its key: nothing else.
    expect(ran[1].sql).toMatch(/JOIN ah_events e ON e\.id = k\.id/);
    expect(Number(ran[1].rows[0].s)).toBe(32);
  });

  test('a streamed read waits while the row handler holds it back, then goes on where it stopped', async () => {
    const docs = Array.from({ length: 40 }, (_, i) => altisEvent(DAY + i, { seq: i }));
    await store.ingest.storeFile(validated(docs), 'import');
    const session = await store.db.openReadSession();
    const reader = new EventReader(session, store.db.sql);
    try {
      const seen: number[] = [];
      let release: () => void = () => undefined;
      let held = false;
      const done = reader.pullPage({ site: '1', from: DAY, to: DAY + 86_400_000 }, null, 100, (doc, ts) => {
        seen.push(ts - DAY);
        // After the 10th row: hold the rest back until released.
        if (seen.length === 10) {
          held = true;
          return new Promise<void>((r) => (release = r));
        }
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(held).toBe(true);
      expect(seen).toHaveLength(10);
      release();
      const page = await done;
      expect(page.rows).toBe(40);
      expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect(page.last).toEqual({ ts: DAY + 39, id: expect.any(Number) });
    } finally {
      await session.close();
    }
  });

  test('migrating twice changes nothing', async () => {
    const again = await store.migrate();
    expect(again.applied).toEqual([]);
    expect(again.current).toBeGreaterThanOrEqual(1);
  });

  test('a file keeps every document byte for byte and reads back in timestamp then arrival order', async () => {
    const odd = '{"event_type":"x",  "event_timestamp":' + (DAY + 5) + ',"é":"ü\\u00e9"}';
    const first = await store.ingest.storeFile([...validated([altisEvent(DAY + 10), altisEvent(DAY + 5)]), parseEventText(odd, { line: 3 })], 'http');
    const second = await store.ingest.storeFile(validated([altisEvent(DAY + 5, { n: 2 }), altisEvent(DAY - 1)]), 'import');
    expect(first).toMatchObject({ accepted: 3, duplicates: 0 });
    expect(second.accepted).toBe(2);
    const { reader, close } = await store.openEventReader();
    try {
      const w = { site: '1', from: DAY, to: DAY + 86_400_000 };
      expect(await reader.count(w)).toMatchObject({ count: 4 });
      const rows = [];
      for await (const page of reader.pages(w, 2)) rows.push(...page);
      const docs = rows.map((r) => r.doc.toString('utf8'));
      expect(docs).toEqual([JSON.stringify(altisEvent(DAY + 5)), odd, JSON.stringify(altisEvent(DAY + 5, { n: 2 })), JSON.stringify(altisEvent(DAY + 10))]);
      const fields = await reader.fieldNames('1', DAY / 86_400_000, DAY / 86_400_000);
      expect(fields).toEqual([...fields].sort());
      expect(fields).toEqual(expect.arrayContaining(['attributes.url', 'endpoint.Location.Country', 'n', 'é', 'event_timestamp']));
    } finally {
      await close();
    }
  });

  test('events are filed under attributes.blogId as a string; missing or empty means site 1', async () => {
    await store.ingest.storeFile(
      validated([
        altisEvent(DAY + 1, { attributes: { blogId: 2 } }),
        altisEvent(DAY + 2, { attributes: { blogId: '' } }),
        altisEvent(DAY + 3, { attributes: {} }),
      ]),
      'http',
    );
    const { reader, close } = await store.openEventReader();
    try {
      expect((await reader.count({ site: '2', from: DAY, to: DAY + 86_400_000 })).count).toBe(1);
      expect((await reader.count({ site: '1', from: DAY, to: DAY + 86_400_000 })).count).toBe(2);
    } finally {
      await close();
    }
  });

  test('an event_id already stored for the site is not stored again, in one file or across files', async () => {
    const a = await store.ingest.storeFile(validated([altisEvent(DAY, { event_id: 'e1' }), altisEvent(DAY, { event_id: 'e1' }), altisEvent(DAY)]), 'http');
    expect(a).toMatchObject({ accepted: 2, duplicates: 1 });
    const b = await store.ingest.storeFile(validated([altisEvent(DAY, { event_id: 'e1' }), altisEvent(DAY, { event_id: 'e1', attributes: { blogId: '9' } })]), 'http');
    expect(b).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(await store.files.pendingTotals()).toEqual({ files: 2, events: 3 });
  });

  test('pending files come oldest first, and marking is idempotent', async () => {
    const f1 = await store.ingest.storeFile(validated([altisEvent(DAY)]), 'http');
    const f2 = await store.ingest.storeFile(validated([altisEvent(DAY), altisEvent(DAY + 1)]), 'http');
    const pending = await store.files.oldestPending(10);
    expect(pending.map((f) => f.uuid)).toEqual([f1.file, f2.file]);
    expect(await store.files.markExported([pending[0].id])).toBe(1);
    expect(await store.files.markExported([pending[0].id])).toBe(0);
    expect((await store.files.oldestPending(10)).map((f) => f.uuid)).toEqual([f2.file]);
    const session = await store.db.openReadSession();
    try {
      const docs: string[] = [];
      for await (const page of store.files.documents(session, pending[1].id, 1)) docs.push(...page.map(String));
      expect(docs).toEqual([JSON.stringify(altisEvent(DAY)), JSON.stringify(altisEvent(DAY + 1))]);
    } finally {
      await session.close();
    }
  });

  test("a file's documents come in line order, a page at a time; a reader that stops early leaves the session usable", async () => {
    const docs = Array.from({ length: 25 }, (_, i) => altisEvent(DAY + 1000 - i, { seq: i }));
    await store.ingest.storeFile(validated(docs), 'import');
    const [file] = await store.files.oldestPending(1);
    const session = await store.db.openReadSession();
    try {
      const pages: string[][] = [];
      for await (const page of store.files.documents(session, file.id, 10)) pages.push(page.map(String));
      expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
      expect(pages.flat()).toEqual(docs.map((d) => JSON.stringify(d)));
      // Stop after the first page: the rest of the file goes by unread, and the session answers the next query.
      for await (const page of store.files.documents(session, file.id, 10)) {
        expect(page).toHaveLength(10);
        break;
      }
      expect(Number((await session.all<{ n: number }>('SELECT COUNT(*) AS n FROM ah_events'))[0].n)).toBe(25);
    } finally {
      await session.close();
    }
  });

  test('a lease has one holder until it expires', async () => {
    expect(await store.leases.acquire('export', 'a', 1000, 1_000)).toBe(true);
    expect(await store.leases.acquire('export', 'b', 1000, 1_500)).toBe(false);
    expect(await store.leases.renew('export', 'a', 1000, 1_600)).toBe(true);
    expect(await store.leases.acquire('export', 'b', 1000, 2_500)).toBe(false);
    expect(await store.leases.acquire('export', 'b', 1000, 2_700)).toBe(true);
    expect(await store.leases.renew('export', 'a', 1000, 2_800)).toBe(false);
  });

  test('options round-trip JSON and add() keeps the first value', async () => {
    await store.options.set('x', { a: 1 });
    expect(await store.options.get('x')).toEqual({ a: 1 });
    expect(await store.options.add('y', 'first')).toBe('first');
    expect(await store.options.add('y', 'second')).toBe('first');
  });

  test('deleting a user deletes their application passwords', async () => {
    const u = await store.users.create('alice', 'a@example.com', 'administrator');
    await store.passwords.create(u.id, 'ci', 'h'.repeat(64));
    await expect(store.users.create('alice', 'b@example.com', 'editor')).rejects.toThrow(/already exists/);
    expect(await store.passwords.list(u.id)).toHaveLength(1);
    expect(await store.users.delete('alice')).toBe(true);
    expect(await store.passwords.hashes(u.id)).toEqual([]);
    expect(await store.users.delete('alice')).toBe(false);
  });
});
