import type { ServerResponse } from 'node:http';
import type { EventReader, EventWindow, KeysetPosition } from '../../core/store/event-reader';
import type { DayWriter } from './writers';

/** What `Store.openEventReader()` hands out: a reader over one snapshot, and its two ways to end. */
export interface OpenedEventReader {
  reader: Pick<EventReader, 'count' | 'pullPage' | 'fieldNames' | 'positionAt' | 'valueCounts'> & Partial<Pick<EventReader, 'readAhead' | 'readsOnEventLoop'>>;
  close(): Promise<void>;
  destroy(): void;
}

export type StreamOutcome =
  | { outcome: 'complete'; rows: number }
  /** The client went away before the end: reading stopped, the session was destroyed. */
  | { outcome: 'client-gone'; rows: number }
  /** The store failed mid-stream: the session and the response were destroyed. */
  | { outcome: 'failed'; rows: number; error: Error };

/**
 * Watches a response for a client that goes away before the response is finished, and
 * runs `onGone` once when it does (the route destroys the read session there, which stops
 * a query the server is still running for it).
 */
export class ClientWatch {
  private goneFlag = false;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly res: ServerResponse) {
    const onClose = () => {
      if (res.writableFinished) return;
      this.goneFlag = true;
      for (const l of [...this.listeners]) l();
      this.listeners.clear();
    };
    res.once('close', onClose);
    if (res.destroyed && !res.writableFinished) this.goneFlag = true;
  }

  get gone(): boolean {
    return this.goneFlag;
  }

  onGone(listener: () => void): void {
    if (this.goneFlag) listener();
    else this.listeners.add(listener);
  }

  /** Resolves once the response can take more ('drain') or the client is gone. */
  drained(): Promise<void> {
    if (this.goneFlag || this.res.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.listeners.delete(done);
        resolve();
      };
      this.res.on('drain', done);
      this.listeners.add(done);
    });
  }
}

export interface StreamDayOptions {
  res: ServerResponse;
  watch: ClientWatch;
  opened: OpenedEventReader;
  window: EventWindow;
  chunkSize: number;
  writer: DayWriter;
  /** Start after this keyset position (a resumed pull); default: the window's start. */
  after?: KeysetPosition | null;
  /** Send at most this many rows (a page of a paged pull); default: all. */
  limit?: number;
  /**
   * The answer must send `limit` rows and end at this position (its Link header already
   * points past it); else the transfer is broken off as on a store failure, so that the
   * client asks for the page again rather than skip or repeat a row.
   */
  expectLast?: KeysetPosition;
  /**
   * Ask for the next page as soon as the current one is written, before waiting for
   * 'drain', so the database works while the socket drains: at most one page more in
   * memory than strict stop-and-wait (default true).
   */
  prefetch?: boolean;
  /** Called once the whole body was handed to the socket ('finish'), with the row count. */
  onSent?: (rows: number) => void;
}

const swallow = () => undefined;

/**
 * Resolves once the event loop has gone round: Node's http corks the socket at a write
 * until the next tick, and the first read of a request, where it runs on the event loop
 * (SQLite), would otherwise hold the status line back until it and the read after it are
 * done (~4 ms before each page's first byte on a 1M day). Only the first: yielding before
 * every read let 10 concurrent pulls of a 100k day peak at 264–289 MiB instead of
 * 136–144 MiB.
 */
const flushed = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Rows between two reports of the pull's progress to the read-ahead (MariaDB; see ReadAhead). */
const WARM_STEP_ROWS = 500;

/**
 * Rows per read where the store reads on the event loop (SQLite), whatever `chunk_size`
 * says (the bytes of the answer are the same): while a read runs the socket is not served.
 * The first read of a request is shortest, so its first bytes leave within a millisecond —
 * a paged pull pays that wait once per page (per_page=10000 on a 1M day: 0.64x → 0.76x
 * the unpaged rows/s). Later reads of 1000 rather than 3000 rows: 322,000 rather than
 * 294,000 rows/s unpaged, 0.88x rather than 0.82x paged, 119 rather than 152 MiB.
 */
const INLINE_FIRST_READ_ROWS = 256;
const INLINE_READ_ROWS = 1000;

/**
 * Rows per query where the store reads off the event loop (MariaDB), whatever `chunk_size`
 * says: each query costs the server a start (parse, index dive, first row) while the pull
 * waits, so one query streams many chunks, each written as it fills, and the connection
 * stops reading while the socket is full (the server then waits with the rest of the
 * result). Measured against the `mariadb` client on the same rows (a 128 MiB buffer pool,
 * medians of 5–7 alternating runs): a query per 3000-row chunk 1.22x at 100,000 events and
 * 0.92x at 1,000,000; 30,000-row queries 1.34x and 0.98x; 100,000-row queries 0.99x at 1M.
 */
const STREAMED_READ_ROWS = 100_000;

/**
 * Streams the window's events through `writer`, each document going into the writer as
 * the store reads it and each `chunkSize` rows written as one chunk. Backpressure: when
 * `res.write` says the socket is full, reading stops until it drains — mid-query where the
 * store streams (MariaDB), else after at most one more read (the prefetch) — so a pull
 * holds about two chunks whatever the size of the day. The caller has set the status and
 * headers; this writes the body, from the opening bytes to the end. It never rejects: the
 * outcome says how it ended, and on anything but `complete` the read session is already
 * destroyed.
 */
export async function streamDay(o: StreamDayOptions): Promise<StreamOutcome> {
  const { res, watch, opened, window: w, chunkSize, writer } = o;
  const prefetch = o.prefetch !== false;
  const limit = o.limit ?? Infinity;
  let rows = 0;
  type Page = { rows: number; last: KeysetPosition | null; asked: number };
  const inline = opened.reader.readsOnEventLoop === true;
  let readSize = inline ? Math.min(chunkSize, INLINE_FIRST_READ_ROWS) : Math.max(chunkSize, STREAMED_READ_ROWS);
  // The chunk goes back to the writer's buffers once the socket has taken it.
  const write = (chunk: Buffer | string): boolean => res.write(chunk, (err?: Error | null) => (err ? undefined : writer.release(chunk)));
  let writable = true;
  /** Rows of the current read already in the writer, and of those, how many since the last chunk. */
  let inRead = 0;
  let inChunk = 0;
  // The rows after the current ones are brought into the database's cache while they are read.
  const ahead = opened.reader.readAhead?.(w, limit);
  let readBytes = 0;
  const afterDrain = () => {
    if (!watch.gone) writable = true;
  };
  // Each document goes straight into the writer as the store reads it; a full chunk is written
  // at once, and a full socket holds the rest of the read back until it drains.
  const add = (doc: Buffer | string, ts: number, id: number): void | Promise<void> => {
    writer.add(doc);
    inRead++;
    if (ahead) {
      readBytes += doc.length;
      if ((rows + inRead) % WARM_STEP_ROWS === 0) ahead.progress({ ts, id }, rows + inRead, readBytes);
    }
    if (inline || ++inChunk < chunkSize) return;
    inChunk = 0;
    writable = write(writer.take());
    if (!writable) return watch.drained().then(afterDrain);
  };
  const read = (after: KeysetPosition | null): Promise<Page> => {
    const asked = Math.min(readSize, limit - rows);
    readSize = inline ? Math.min(chunkSize, INLINE_READ_ROWS) : readSize;
    inRead = 0;
    inChunk = 0;
    ahead?.progress(after, rows, readBytes);
    const p = opened.reader.pullPage(w, after, asked, add).then((page) => ({ ...page, asked }));
    // Rejections are awaited below; this keeps one that lands while we wait for 'drain' from counting as unhandled.
    p.catch(swallow);
    return p;
  };
  try {
    const head = writer.start();
    writable = head.length === 0 || res.write(head);
    let next: Promise<Page> | null = inline ? flushed().then(() => read(o.after ?? null)) : read(o.after ?? null);
    let last = o.after ?? null;
    while (next) {
      const page: Page = await next;
      if (watch.gone) return { outcome: 'client-gone', rows };
      next = null;
      if (page.rows === 0) break;
      last = page.last ?? last;
      const chunk = writer.take();
      const wasWritable = writable;
      if (chunk.length > 0) writable = write(chunk);
      rows += page.rows;
      if (rows >= limit || page.rows < page.asked || !page.last) break;
      const after = page.last;
      // Written first, then the next read asked for: where the store reads off the event
      // loop (MariaDB) the socket sends this chunk meanwhile; a synchronous SQLite read runs
      // first and the chunk leaves right after it (see `flushed`). At most one read goes
      // ahead of a full socket.
      if (prefetch && wasWritable) next = read(after);
      if (!writable) {
        await watch.drained();
        if (watch.gone) {
          if (next) await next.catch(swallow);
          return { outcome: 'client-gone', rows };
        }
        writable = true;
      }
      if (!next) next = read(after);
    }
    const expected = o.expectLast;
    if (expected && (rows !== limit || last?.ts !== expected.ts || last?.id !== expected.id)) {
      throw new Error(`the page ended at event (${last?.ts}, ${last?.id}), not where its Link points (${expected.ts}, ${expected.id}): a row below the pull's horizon was committed late`);
    }
    await opened.close().catch(swallow);
    const tail = writer.end();
    if (!watch.gone) {
      const sent = rows;
      if (o.onSent) res.once('finish', () => o.onSent?.(sent));
      if (tail.length > 0) res.end(tail);
      else res.end();
    }
    return watch.gone ? { outcome: 'client-gone', rows } : { outcome: 'complete', rows };
  } catch (err) {
    opened.destroy();
    if (watch.gone) return { outcome: 'client-gone', rows };
    const error = err instanceof Error ? err : new Error(String(err));
    // Headers and part of the body are out: the only honest signal left is a broken
    // transfer, never the closing bytes or the chunked terminator.
    res.destroy(error);
    return { outcome: 'failed', rows, error };
  }
}
