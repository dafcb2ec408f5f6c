import { createHash } from 'node:crypto';
import type { StoredFile } from '../core/store/files';
import type { InFlightBatch, Segment } from './state';

/** A batch ready for the subscribers, and what its acknowledgement settles. */
export interface PackedBatch {
  /** Stable: the same lines of the same files always give the same id. */
  id: string;
  /**
   * The NDJSON, one event per line, as UTF-8 bytes: a view of the packer's buffer, valid
   * until the next batch is asked for. It is decoded where it is handed over, so the
   * string lives only as long as the subscribers keep it.
   */
  body: Buffer;
  segments: Segment[];
  events: number;
  /** Files whose last line is in this batch (or that have no lines): exported once it is acknowledged. */
  completes: number[];
}

export interface BatchSource {
  /** Pending files, oldest first. */
  files: readonly StoredFile[];
  /** A file's documents in line order, a page at a time, each as its UTF-8 bytes or as a string. */
  documents(fileId: number): AsyncIterable<readonly (Buffer | string)[]>;
  /** Upper bound of a batch's NDJSON bytes (a single longer line still goes, alone). */
  batchBytes: number;
  /** An earlier run's unacknowledged batch: formed again exactly, if it still heads the queue. */
  inFlight?: InFlightBatch | null;
}

/** sha256 of the batch's (file uuid, first line, last line) list, 32 hex digits. */
export function batchId(segments: readonly Segment[]): string {
  const h = createHash('sha256');
  for (const s of segments) h.update(`${s.uuid}:${s.from}-${s.to};`);
  return h.digest('hex').slice(0, 32);
}

/**
 * One NDJSON batch being filled, in one buffer reused from batch to batch: documents are
 * copied in as UTF-8 bytes, so the only string a batch costs is the one decoded at
 * hand-over, and no document outlives the page it came in.
 */
class BatchBuilder {
  private buffer: Buffer;
  private length = 0;
  private events = 0;
  private segments: Segment[] = [];
  private completes: number[] = [];

  constructor(private readonly limit: number) {
    this.buffer = Buffer.allocUnsafe(Math.min(limit, 1 << 20));
  }

  get empty(): boolean {
    return this.events === 0;
  }

  get settles(): boolean {
    return this.events > 0 || this.completes.length > 0;
  }

  /** Whether `bytes` more (a line and its line feed) keep the batch within its limit. */
  fits(bytes: number): boolean {
    return this.length + bytes <= this.limit;
  }

  /** Appends a document of `bytes` UTF-8 bytes and its line feed. */
  add(file: StoredFile, position: number, doc: Buffer | string, bytes: number): void {
    const end = this.length + bytes + 1;
    if (end > this.buffer.length) this.grow(end);
    if (typeof doc === 'string') this.buffer.write(doc, this.length, bytes, 'utf8');
    else doc.copy(this.buffer, this.length);
    this.buffer[end - 1] = 0x0a;
    this.length = end;
    this.events++;
    const last = this.segments[this.segments.length - 1];
    if (last && last.file === file.id && last.to === position - 1) last.to = position;
    else this.segments.push({ file: file.id, uuid: file.uuid, from: position, to: position });
  }

  fileEnds(fileId: number): void {
    this.completes.push(fileId);
  }

  /** The batch so far; its body stays valid until the next `add`. */
  take(): PackedBatch {
    const batch: PackedBatch = {
      id: batchId(this.segments),
      body: this.buffer.subarray(0, this.length),
      segments: this.segments,
      events: this.events,
      completes: this.completes,
    };
    this.length = 0;
    this.events = 0;
    this.segments = [];
    this.completes = [];
    return batch;
  }

  /** Doubles the buffer until `needed` bytes fit (the limit, or one longer line, is reached once per run). */
  private grow(needed: number): void {
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}

/** A page of one file's documents, or the end of that file (files without rows have only the end). */
type FilePage = { file: number; docs: readonly (Buffer | string)[] } | { file: number; end: true };

/** Every file's pages in queue order, each file closed by an end marker. */
async function* filePages(src: BatchSource): AsyncGenerator<FilePage> {
  for (let i = 0; i < src.files.length; i++) {
    for await (const docs of src.documents(src.files[i].id)) yield { file: i, docs };
    yield { file: i, end: true };
  }
}

/**
 * Iterates one item ahead: the query for the next page — of this file or the next one — is
 * under way while this one is cut into batches and delivered (the database answers while
 * JavaScript works). Two pages in memory at most.
 */
async function* readAhead<T>(pages: AsyncIterable<T>): AsyncGenerator<T> {
  const it = pages[Symbol.asyncIterator]();
  let next = it.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = it.next();
      // A failure of the read ahead is reported when it is reached, not as an unhandled rejection before.
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    await it.return?.();
  }
}

/** The in-flight batch applies only if its files are still the head of the queue, in order. */
function replayable(inFlight: InFlightBatch | null | undefined, files: readonly StoredFile[]): Segment[] | null {
  const segs = inFlight?.segments;
  if (!Array.isArray(segs) || segs.length === 0 || segs.length > files.length) return null;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (s.file !== files[i].id || !(s.from >= 1) || !(s.to >= s.from) || (i > 0 && s.from !== 1)) return null;
  }
  return segs;
}

/**
 * Cuts the pending files into NDJSON batches of at most `batchBytes`, one event per line
 * in file order, holding one batch and two pages of rows (one read ahead) at a time. Cuts
 * are canonical, so a batch handed over again has the same id: a file that fits in what
 * is left of the batch joins it, otherwise the batch is closed before the file; a file
 * larger than a batch is split at line boundaries into batches of its own (its tail may
 * be joined by the files after it). An earlier run's in-flight batch is formed again
 * exactly first, and the lines before it, already acknowledged, are skipped.
 */
export async function* packBatches(src: BatchSource): AsyncGenerator<PackedBatch> {
  const b = new BatchBuilder(src.batchBytes);
  const replay = replayable(src.inFlight, src.files);
  let current = -1;
  let seg: Segment | undefined;
  let replayEnd = -1;
  let position = 0;
  const begin = (i: number): PackedBatch | null => {
    current = i;
    const file = src.files[i];
    seg = replay && i < replay.length ? replay[i] : undefined;
    replayEnd = seg !== undefined && i === replay!.length - 1 ? seg.to : -1;
    position = 0;
    return !seg && !b.empty && !b.fits(file.bytes + file.events) ? b.take() : null;
  };
  for await (const page of readAhead(filePages(src))) {
    if (page.file !== current) {
      const full = begin(page.file);
      if (full) yield full;
    }
    const file = src.files[current];
    if ('end' in page) {
      b.fileEnds(file.id);
      if (replayEnd >= 0 && position <= replayEnd) yield b.take();
      continue;
    }
    for (const doc of page.docs) {
      position++;
      if (seg && position < seg.from) continue;
      const bytes = typeof doc === 'string' ? Buffer.byteLength(doc) : doc.length;
      if (position === replayEnd + 1 && !b.empty) yield b.take();
      else if ((!seg || position > seg.to) && !b.empty && !b.fits(bytes + 1)) yield b.take();
      b.add(file, position, doc, bytes);
    }
  }
  if (b.settles) yield b.take();
}
