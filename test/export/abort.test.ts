import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { parseMysqlUrl } from '../../core/db/mysql';
import { SQLITE_FILE_NAME } from '../../core/db/open';
import { BACKENDS, TEST_MYSQL_URL } from '../support/backends';
import { altisEvent, DAY, validated } from '../support/events';
import { createUserWithPassword, startTestServer } from '../support/host';
import type { Store } from '../../core/store/store';
import { eventually, get, openSlowPull, sleep } from './http';

type Server = Awaited<ReturnType<typeof startTestServer>>;

const DATE = '2026-11-20';
/** Far more than loopback socket buffers hold, so a paused client really stops the server. */
const EVENTS = 3000;
const PAD = 'x'.repeat(8000);

async function adminConnection() {
  const u = parseMysqlUrl(TEST_MYSQL_URL);
  return mysql.createConnection({ host: u.hosts[0].host, port: u.hosts[0].port, user: u.user, password: u.password });
}

/**
 * Counts the store's read sessions still open: the host's own `openEventReader`, wrapped so
 * every session it hands out is tracked until its close() or destroy() runs.
 */
function trackReadSessions(store: Store): { open(): number; destroyed(): number; reads(): number; rows(): number } {
  const original = store.openEventReader.bind(store);
  let open = 0;
  let destroyed = 0;
  let reads = 0;
  let rows = 0;
  store.openEventReader = async () => {
    const opened = await original();
    open++;
    const pullPage = opened.reader.pullPage.bind(opened.reader);
    opened.reader.pullPage = (w, after, limit, onDoc) => {
      reads++;
      return pullPage(w, after, limit, (doc, ts, id) => {
        rows++;
        return onDoc(doc, ts, id);
      });
    };
    let ended = false;
    const end = () => {
      if (!ended) open--;
      ended = true;
    };
    return {
      reader: opened.reader,
      close: async () => {
        end();
        await opened.close();
      },
      destroy: () => {
        if (!ended) destroyed++;
        end();
        opened.destroy();
      },
    };
  };
  return { open: () => open, destroyed: () => destroyed, reads: () => reads, rows: () => rows };
}

describe.each(BACKENDS)('day pull abort semantics on %s (real sockets)', (backend) => {
  let t: Server;
  let authorization: string;
  let url: string;
  let admin: mysql.Connection | undefined;
  let dbName = '';

  beforeEach(async () => {
    t = await startTestServer(backend);
    ({ authorization } = await createUserWithPassword(t.host, 'admin'));
    url = `${t.url}/wp-json/analytics/v1/events/${DATE}`;
    for (let start = 0; start < EVENTS; start += 1000) {
      const docs = Array.from({ length: 1000 }, (_, i) => altisEvent(DAY + (start + i) * 1000, { pad: PAD, seq: start + i }));
      await t.host.store.ingest.storeFile(validated(docs), 'import');
    }
    if (backend === 'mysql') {
      admin = await adminConnection();
      dbName = parseMysqlUrl(t.db.databaseUrl).database;
    }
  });
  afterEach(async () => {
    await admin?.end();
    admin = undefined;
    await t?.cleanup();
  });

  /**
   * Server threads of this test's database that hold an explicit transaction: the pull's
   * snapshot (the read-ahead's statements on pooled connections run in autocommit). InnoDB
   * serves INNODB_TRX from a cache it refreshes only once nobody has read it for 100 ms
   * (trx0i_s.cc, CACHE_MIN_IDLE_TIME_US): polled every 50 ms, the table kept showing a
   * read-ahead COUNT that had ended 5 s before. Hence the pause before each read.
   */
  async function snapshotThreads(): Promise<number[]> {
    await sleep(150);
    const [rows] = await admin!.query(
      `SELECT p.ID AS id FROM information_schema.PROCESSLIST p JOIN information_schema.INNODB_TRX x ON x.trx_mysql_thread_id = p.ID WHERE p.DB = ? AND x.trx_autocommit_non_locking = 0`,
      [dbName],
    );
    return (rows as { id: number }[]).map((r) => Number(r.id));
  }

  /** Statements of the pull still running on the server. */
  async function runningPullQueries(): Promise<number> {
    const [rows] = await admin!.query(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE '%ah_events%' AND ID <> CONNECTION_ID()`, [dbName]);
    return Number((rows as { n: number }[])[0].n);
  }

  async function expectFullPullWorks(): Promise<void> {
    const r = await get(`${url}?chunk_size=500`, { Authorization: authorization });
    expect(r.status).toBe(200);
    expect(r.complete).toBe(true);
    expect(r.headers['x-wp-total']).toBe(String(EVENTS));
    const docs = JSON.parse(r.body.toString('utf8')) as { seq: number }[];
    expect(docs.map((d) => d.seq)).toEqual(Array.from({ length: EVENTS }, (_, i) => i));
  }

  test('a store failure mid-stream breaks the transfer: no closing bracket, no chunked terminator', async () => {
    if (backend === 'sqlite') {
      // Everything into the main file, so the reader takes its pages from there.
      await t.host.store.db.run('PRAGMA wal_checkpoint(TRUNCATE)');
    }
    const pull = openSlowPull(`${url}?chunk_size=20`, { Authorization: authorization });
    await pull.firstBytes;
    await sleep(200);
    if (backend === 'mysql') {
      // The pull's own connection, found by its open snapshot, killed from another connection.
      const threads = await snapshotThreads();
      expect(threads).toHaveLength(1);
      await admin!.query(`KILL ${threads[0]}`);
    } else {
      // The disk goes bad under the reader: every page it has not read yet is gone.
      fs.truncateSync(path.join(t.db.dataDir, SQLITE_FILE_NAME), 4096);
    }
    pull.resume();
    const end = await pull.ended;
    expect(end.status).toBe(200);
    expect(end.complete).toBe(false);
    expect(end.broken).toBe(true);
    const body = end.body.toString('utf8');
    expect(body.startsWith('[')).toBe(true);
    expect(body.endsWith(']')).toBe(false);
    expect(body.length).toBeLessThan(EVENTS * PAD.length);
    if (backend === 'mysql') {
      expect(await eventually(async () => (await snapshotThreads()).length === 0)).toBe(true);
      await expectFullPullWorks();
    }
  });

  test('backpressure: while the client does not read, the server stops reading the store', async () => {
    const sessions = trackReadSessions(t.host.store);
    const pull = openSlowPull(`${url}?chunk_size=20`, { Authorization: authorization });
    await pull.firstBytes;
    await sleep(300);
    const stalled = sessions.rows();
    await sleep(500);
    // Socket buffers hold a few MB; the day is ~25 MB in 150 chunks of 20 events.
    expect(sessions.rows()).toBe(stalled);
    expect(stalled).toBeLessThan(EVENTS / 2);
    pull.resume();
    const end = await pull.ended;
    expect(end.complete).toBe(true);
    expect(sessions.rows()).toBe(EVENTS);
    // SQLite reads a chunk at a time (and one empty read ends the day); MariaDB streams the
    // day in one query, paused while the socket was full.
    expect(sessions.reads()).toBe(backend === 'sqlite' ? EVENTS / 20 + 1 : 1);
    expect(JSON.parse(end.body.toString('utf8'))).toHaveLength(EVENTS);
  });

  test('a client that disconnects after the first bytes: the read session is closed at once, and the next pull works', async () => {
    const sessions = trackReadSessions(t.host.store);
    const pull = openSlowPull(`${url}?chunk_size=20`, { Authorization: authorization });
    await pull.firstBytes;
    await sleep(200);
    expect(sessions.open()).toBe(1);
    if (backend === 'mysql') expect(await snapshotThreads()).toHaveLength(1);

    pull.disconnect();
    const end = await pull.ended;
    expect(end.complete).toBe(false);
    expect(await eventually(() => sessions.open() === 0, 1000, 10)).toBe(true);
    expect(sessions.destroyed()).toBe(1);
    if (backend === 'mysql') {
      expect(await eventually(async () => (await snapshotThreads()).length === 0 && (await runningPullQueries()) === 0)).toBe(true);
    }
    await expectFullPullWorks();
    expect(sessions.open()).toBe(0);
  });

  test('a client that disconnects while a page is being read: the query is stopped and the connection freed', async () => {
    // chunk_size 10000, CSV: the header goes out first, then the server reads the whole day in one page.
    const sessions = trackReadSessions(t.host.store);
    const pull = openSlowPull(`${url}?chunk_size=10000&format=csv`, { Authorization: authorization });
    await pull.firstBytes;
    pull.disconnect();
    await pull.ended;
    expect(await eventually(() => sessions.open() === 0, 1000, 10)).toBe(true);
    if (backend === 'mysql') {
      // The page query was in flight: the session was destroyed, not committed.
      expect(sessions.destroyed()).toBe(1);
      // The server notices the dead socket at its next write, and a read-ahead statement
      // under way ends by itself.
      expect(await eventually(async () => (await snapshotThreads()).length === 0 && (await runningPullQueries()) === 0)).toBe(true);
    }
    // (SQLite reads on the event loop, 256 rows and then 1000 at a time: the 3000-event day
    // may be read in full before the disconnect is noticed, so only the outcome is checked.)
    await expectFullPullWorks();
  });
});
