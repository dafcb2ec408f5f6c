import { CsvRowBuilder } from './csv';
import type { ExportFormat } from './params';

/**
 * Turns the documents of a day, page by page, into the bytes of one format. Documents are
 * `add`ed one at a time as the store reads them (none is kept); `take` then hands over the
 * page's bytes as one chunk. Chunks come from the writer's own buffers: the stream gives
 * each back through `release` once the socket has taken it, and only then is it reused.
 */
export interface DayWriter {
  readonly format: ExportFormat;
  readonly contentType: string;
  readonly extension: string;
  start(): Buffer | string;
  /** One stored document: its UTF-8 bytes, or its text. */
  add(doc: Buffer | string): void;
  /** The bytes of the documents added since the last `take` (empty: nothing was added). */
  take(): Buffer;
  end(): Buffer | string;
  /** The socket is done with a chunk `take` returned. */
  release(chunk: Buffer | string): void;
}

const EMPTY = Buffer.alloc(0);
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const MIN_BUFFER = 64 * 1024;

/**
 * Output buffers reused from page to page. Each page would otherwise allocate a few MB
 * outside the JS heap that comes back only when a GC happens to collect the Buffer object:
 * under load such memory piles up by tens of MB. A pull has at most two chunks out at once
 * (one in the socket, one being filled), so two buffers are kept.
 */
export class ChunkBuffer {
  private readonly free: Buffer[] = [];
  private readonly lent = new Set<ArrayBufferLike>();
  private buf: Buffer | null = null;
  private at = 0;
  /** Size of the last chunk: the next one starts that big. */
  private hint = MIN_BUFFER;

  private alloc(bytes: number): Buffer {
    let b = this.free.pop();
    // Dedicated memory (never Node's shared slab): it is written over once released.
    if (!b || b.length < bytes) b = Buffer.allocUnsafeSlow(Math.max(MIN_BUFFER, bytes));
    return b;
  }

  /** Room for `bytes` more. */
  private ensure(bytes: number): Buffer {
    const need = this.at + bytes;
    if (this.buf && need <= this.buf.length) return this.buf;
    // A new chunk starts a little above the last one's size; a full one grows by half.
    const bigger = this.buf ? this.alloc(need + (need >> 1)) : this.alloc(Math.max(need, this.hint + (this.hint >> 3)));
    if (this.buf) this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
    return bigger;
  }

  byte(value: number): void {
    this.ensure(1)[this.at++] = value;
  }

  append(data: Buffer | string): void {
    if (typeof data === 'string') {
      // At most 3 bytes per UTF-16 unit: no pass over the text to measure it first.
      this.at += this.ensure(data.length * 3).write(data, this.at, 'utf8');
    } else {
      this.at += data.copy(this.ensure(data.length), this.at);
    }
  }

  get length(): number {
    return this.at;
  }

  take(): Buffer {
    if (!this.buf || this.at === 0) return EMPTY;
    const chunk = this.buf.subarray(0, this.at);
    this.lent.add(this.buf.buffer);
    this.hint = Math.max(MIN_BUFFER, this.at);
    this.buf = null;
    this.at = 0;
    return chunk;
  }

  release(chunk: Buffer | string): void {
    if (typeof chunk === 'string' || !this.lent.delete(chunk.buffer)) return;
    if (this.free.length < 2) this.free.push(Buffer.from(chunk.buffer, 0, chunk.buffer.byteLength));
  }
}

/** What every writer shares: its own output buffers, handed out by `take` and given back by `release`. */
abstract class BufferedDayWriter {
  protected readonly out = new ChunkBuffer();

  take(): Buffer {
    return this.out.take();
  }

  release(chunk: Buffer | string): void {
    this.out.release(chunk);
  }
}

/** `[` doc `,` doc … `]`: the stored bytes as they are, never parsed. */
export class JsonDayWriter extends BufferedDayWriter implements DayWriter {
  readonly format = 'json' as const;
  readonly contentType = 'application/json; charset=UTF-8';
  readonly extension = 'json';
  private first = true;

  start(): string {
    return '[';
  }

  add(doc: Buffer | string): void {
    if (this.first) this.first = false;
    else this.out.byte(COMMA);
    this.out.append(doc);
  }

  end(): string {
    return ']';
  }
}

/** One document per line, each followed by LF. */
export class NdjsonDayWriter extends BufferedDayWriter implements DayWriter {
  readonly format = 'ndjson' as const;
  readonly contentType = 'application/x-ndjson; charset=UTF-8';
  readonly extension = 'ndjson';

  start(): Buffer {
    return EMPTY;
  }

  add(doc: Buffer | string): void {
    this.out.append(doc);
    this.out.byte(NEWLINE);
  }

  end(): Buffer {
    return EMPTY;
  }
}

/** A header row of the day's field names, then one row per document. */
export class CsvDayWriter extends BufferedDayWriter implements DayWriter {
  readonly format = 'csv' as const;
  readonly contentType = 'text/csv; charset=UTF-8';
  readonly extension = 'csv';
  private readonly header: string;
  private readonly rows: ReturnType<CsvRowBuilder['batch']>;

  constructor(header: readonly string[], options: { escapeFormulas: boolean }) {
    super();
    const builder = new CsvRowBuilder(header, options);
    this.header = builder.headerText();
    this.rows = builder.batch((text) => this.out.append(text));
  }

  start(): string {
    return this.header;
  }

  add(doc: Buffer | string): void {
    this.rows.add(doc);
  }

  override take(): Buffer {
    this.rows.flush();
    return super.take();
  }

  end(): string {
    return '';
  }
}
