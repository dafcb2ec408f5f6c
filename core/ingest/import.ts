/**
 * `import`: NDJSON (plain or gzip) from a file or stdin into the store, in bounded memory.
 *
 * Two passes, so that nothing is stored unless the whole input is valid (SPEC: "import
 * applies the same validation to the whole input before it stores anything"):
 * 1. read the input once, line by line, validating every event exactly as the HTTP
 *    route does, and spool the valid events (with what validation learnt) to DATA_DIR;
 * 2. only if every line passed, read the spool back and store it as files of
 *    `eventsPerFile` events, one transaction each, in input order.
 * Memory holds one read chunk, one file of events and the interned field shapes.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import type { Hooks } from '../../hooks';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import type { IngestResult } from '../store/ingest';
import { EventValidationError, describePosition, type ValidatedEvent } from '../events/validate';
import { readLines, LineError } from './lines';
import { parseNdjsonLine } from './parse';
import { FieldShapes, readSpool, SpoolError, SpoolWriter } from './spool';
import { fireEventsIngested } from './hooks';

export const DEFAULT_EVENTS_PER_FILE = 5000;
export const MAX_EVENTS_PER_FILE = 100_000;

export type ImportInput = { path: string } | { stream: NodeJS.ReadableStream; name?: string };

export interface ImportProgress {
  phase: 'validate' | 'store';
  /** Events validated (phase validate) or stored (phase store) so far. */
  events: number;
  /** Events in the whole input: known in the store phase. */
  totalEvents: number | null;
  /** Phase validate: input bytes read so far (compressed bytes for gzip) and the input's size when known (a file). */
  bytes: number;
  totalBytes: number | null;
}

export interface ImportOptions {
  /** Events per stored file (default 5000). */
  eventsPerFile?: number;
  /** Longest accepted line, in bytes (config ingest.max_body_bytes). */
  maxEventBytes: number;
  /** Where the spool file goes (DATA_DIR). */
  spoolDir: string;
  onProgress?: (p: ImportProgress) => void;
  /** `altis.analytics.events_ingested` runs on it after each stored file. */
  hooks?: Hooks;
  log?: Logger;
}

export interface ImportSummary {
  /** Valid events in the input. */
  events: number;
  accepted: number;
  duplicates: number;
  files: number;
  /** Lines read, blank ones included. */
  lines: number;
  seconds: number;
  /** The two passes: validating (and spooling) everything, then storing. */
  validateSeconds: number;
  storeSeconds: number;
}

/** A failure of the import with a one-line reason fit for the CLI. */
export class ImportError extends Error {
  constructor(
    message: string,
    readonly stored: { files: number; events: number } = { files: 0, events: 0 },
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

const GZIP_MAGIC = [0x1f, 0x8b];

function displayName(input: ImportInput): string {
  return 'path' in input ? input.path : (input.name ?? 'standard input');
}

/** Reads up to `n` bytes from the start of a file. */
async function fileHead(file: string, n: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The first chunk of a stream and a stream of everything (that chunk put back in front). */
async function peekStream(stream: NodeJS.ReadableStream): Promise<{ head: Buffer; stream: Readable; bytesRead(): number }> {
  const source = stream as unknown as AsyncIterable<Buffer | string>;
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? Buffer.alloc(0) : typeof first.value === 'string' ? Buffer.from(first.value) : first.value;
  let bytes = head.length;
  async function* all(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) yield head;
      for (;;) {
        const r = await iterator.next();
        if (r.done) return;
        const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
        bytes += chunk.length;
        yield chunk;
      }
    } finally {
      await iterator.return?.();
    }
  }
  return { head, stream: Readable.from(all(), { objectMode: false }), bytesRead: () => bytes };
}

const isGzipHead = (head: Buffer) => head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];

function describeReadError(err: unknown, name: string, gzip: boolean): string {
  const e = err as NodeJS.ErrnoException;
  if (gzip && typeof e?.code === 'string' && e.code.startsWith('Z_')) {
    if (e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message)) return `${name} is a truncated gzip file (unexpected end of file)`;
    return `${name} is not a valid gzip file (${e.message})`;
  }
  if (e?.code === 'ENOENT') return `${name}: no such file`;
  if (e?.code === 'EISDIR') return `${name} is a directory`;
  if (e?.code === 'EACCES') return `${name}: permission denied`;
  return `cannot read ${name}: ${e?.message ?? String(err)}`;
}

/** `report()` hands `onProgress` the current progress at most every 100 ms; `report(true)` at once. */
function progressReporter(options: ImportOptions, progress: () => ImportProgress): (force?: boolean) => void {
  let last = 0;
  return (force = false) => {
    if (!options.onProgress) return;
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    options.onProgress(progress());
  };
}

/** Pass 1: validate everything, spool the valid events. */
async function validateAndSpool(input: ImportInput, options: ImportOptions, spool: SpoolWriter): Promise<{ events: number; lines: number }> {
  const name = displayName(input);
  let raw: Readable;
  let gzip: boolean;
  let totalBytes: number | null = null;
  let bytesRead: () => number;
  if ('path' in input) {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(input.path);
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    } catch (err) {
      throw new ImportError(describeReadError(err, name, false));
    }
    totalBytes = stat.size;
    gzip = isGzipHead(await fileHead(input.path, 2)) || /\.gz$/i.test(input.path);
    const file = fs.createReadStream(input.path, { highWaterMark: 1 << 20 });
    raw = file;
    bytesRead = () => file.bytesRead;
  } else {
    const peeked = await peekStream(input.stream);
    gzip = isGzipHead(peeked.head);
    raw = peeked.stream;
    bytesRead = peeked.bytesRead;
  }
  let events = 0;
  let lines = 0;
  const report = progressReporter(options, () => ({ phase: 'validate', events, totalEvents: null, bytes: bytesRead(), totalBytes }));
  const consume = async (source: AsyncIterable<Buffer | string>) => {
    for await (const batch of readLines(source, options.maxEventBytes)) {
      let line = batch.first;
      for (const text of batch.lines) {
        const event = parseNdjsonLine(text, line);
        if (event) {
          const wait = spool.add(line, event);
          if (wait) await wait;
          events++;
        }
        line++;
      }
      lines = line - 1;
      report();
    }
  };
  try {
    if (gzip) await pipeline(raw, zlib.createGunzip({ chunkSize: 1 << 16 }), consume);
    else await pipeline(raw, consume);
  } catch (err) {
    if (err instanceof EventValidationError) throw new ImportError(`${describePosition(err.position)}: ${err.field ? `${err.field} ${err.reason}` : err.reason}`);
    if (err instanceof LineError) throw new ImportError(err.message);
    if (err instanceof SpoolError) throw new ImportError(err.message);
    throw new ImportError(describeReadError(err, name, gzip));
  }
  report(true);
  return { events, lines };
}

/** One file of the store pass: placed once its ids are taken, done once stored. */
interface FileInFlight {
  events: number;
  eventIds: Set<string> | null;
  placed: Promise<void>;
  done: Promise<IngestResult>;
}

function eventIdsOf(group: readonly ValidatedEvent[]): Set<string> | null {
  let ids: Set<string> | null = null;
  for (const e of group) if (e.eventId !== null) (ids ??= new Set()).add(e.eventId);
  return ids;
}

function sharesEventId(a: Set<string> | null, b: Set<string> | null): boolean {
  if (!a || !b) return false;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const id of small) if (large.has(id)) return true;
  return false;
}

/**
 * Pass 2: the spool into files of `perFile` events, in input order. The next file is decoded
 * while one is being stored; on MariaDB two files are written at once (Ingestor.filesInFlight),
 * each committing after the one before it, so the stored files are always the first N.
 */
async function storeSpool(
  store: Store,
  spool: string,
  shapes: FieldShapes,
  totalEvents: number,
  options: ImportOptions,
  perFile: number,
): Promise<{ files: number; accepted: number; duplicates: number }> {
  const done = { files: 0, accepted: 0, duplicates: 0, events: 0 };
  const ingest = store.ingest;
  const report = progressReporter(options, () => ({ phase: 'store', events: done.events, totalEvents, bytes: 0, totalBytes: null }));
  const inFlight: FileInFlight[] = [];
  const gaveWayBefore = ingest.gaveWay;
  const stopped = (err: unknown) =>
    new ImportError(`import stopped after storing ${done.files} file(s) with ${done.events} of ${totalEvents} events: ${(err as Error).message ?? String(err)}`, {
      files: done.files,
      events: done.events,
    });
  /** Waits for the oldest file in flight and counts it. */
  const settleOldest = async () => {
    const oldest = inFlight.shift()!;
    let result: IngestResult;
    try {
      result = await oldest.done;
    } catch (err) {
      throw stopped(err);
    }
    done.files++;
    done.events += oldest.events;
    done.accepted += result.accepted;
    done.duplicates += result.duplicates;
    if (options.hooks) fireEventsIngested(options.hooks, { ...result, source: 'import' }, options.log);
    report();
  };
  const start = async (group: ValidatedEvent[]) => {
    const eventIds = ingest.filesInFlight > 1 ? eventIdsOf(group) : null;
    // Two at once only while no file ever had to give way (looked at again after each wait:
    // the file waited for may be the one giving way), and never for two files sharing an
    // event_id (the later one would hold the row the earlier one waits for).
    const limit = () => (ingest.gaveWay === gaveWayBefore ? ingest.filesInFlight : 1);
    while (inFlight.length > 0 && (inFlight.length >= limit() || sharesEventId(inFlight[inFlight.length - 1].eventIds, eventIds))) await settleOldest();
    const previous = inFlight[inFlight.length - 1];
    // Ids are taken in input order: the previous file first.
    if (previous) await previous.placed;
    let signal!: () => void;
    const placed = new Promise<void>((resolve) => (signal = resolve));
    const file =
      ingest.filesInFlight > 1 ? ingest.storeFile(group, 'import', { placed: signal, previous: previous?.done ?? Promise.resolve() }) : ingest.storeFile(group, 'import');
    // Settled either way, so a file that fails before it is placed never leaves the next one
    // waiting; its failure is reported when it is awaited in order (and never counts as unhandled).
    file.then(signal, signal);
    inFlight.push({ events: group.length, eventIds, placed, done: file });
  };
  let group: ValidatedEvent[] = [];
  try {
    try {
      for await (const batch of readSpool(spool, shapes)) {
        for (const e of batch) {
          group.push(e);
          if (group.length >= perFile) {
            await start(group);
            group = [];
          }
        }
      }
      if (group.length > 0) await start(group);
    } catch (err) {
      if (err instanceof ImportError) throw err;
      // The spool could not be read back: what is in flight is still stored, and counted.
      while (inFlight.length > 0) await settleOldest();
      throw stopped(err);
    }
    while (inFlight.length > 0) await settleOldest();
  } finally {
    // After a failure: let the files still in flight settle (they roll back) before the spool goes.
    await Promise.allSettled(inFlight.map((f) => f.done));
  }
  report(true);
  return done;
}

/** Imports NDJSON events (see the module comment); throws ImportError with a one-line reason. */
export async function importNdjson(store: Store, input: ImportInput, options: ImportOptions): Promise<ImportSummary> {
  const started = process.hrtime.bigint();
  const perFile = options.eventsPerFile ?? DEFAULT_EVENTS_PER_FILE;
  if (!Number.isInteger(perFile) || perFile < 1 || perFile > MAX_EVENTS_PER_FILE) {
    throw new ImportError(`events per file must be an integer from 1 to ${MAX_EVENTS_PER_FILE}`);
  }
  await fs.promises.mkdir(options.spoolDir, { recursive: true });
  const spoolFile = path.join(options.spoolDir, `.import-${process.pid}-${randomUUID()}.spool`);
  const shapes = new FieldShapes();
  const spool = new SpoolWriter(spoolFile, shapes);
  try {
    let counted: { events: number; lines: number };
    try {
      counted = await validateAndSpool(input, options, spool);
      await spool.close();
    } catch (err) {
      spool.abort();
      if (err instanceof ImportError || err instanceof SpoolError) throw new ImportError(`${err.message} (nothing was imported)`);
      throw err;
    }
    const validated = process.hrtime.bigint();
    const stored = counted.events === 0 ? { files: 0, accepted: 0, duplicates: 0 } : await storeSpool(store, spoolFile, shapes, counted.events, options, perFile);
    const end = process.hrtime.bigint();
    return {
      events: counted.events,
      lines: counted.lines,
      files: stored.files,
      accepted: stored.accepted,
      duplicates: stored.duplicates,
      seconds: Number(end - started) / 1e9,
      validateSeconds: Number(validated - started) / 1e9,
      storeSeconds: Number(end - validated) / 1e9,
    };
  } finally {
    await fs.promises.rm(spoolFile, { force: true });
  }
}
