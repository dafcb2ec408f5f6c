/**
 * The import's spool: while the first pass validates the input, each valid event is
 * written here with what validation found out (site, timestamp, type, id, field shape),
 * so the second pass stores it without reading the source again (stdin cannot be read
 * twice) and without parsing the JSON a second time. Lives in DATA_DIR, deleted after.
 *
 * Record: u32 length of the rest | u32 line | f64 event_timestamp | u32 shape |
 * u16 site bytes | u16 type bytes | u16 id bytes + 1 (0: no id) |
 * [u32 bytes + JSON array of field names, when shape = INLINE] | site | type | id | text.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { DAY_MS, type ValidatedEvent } from '../events/validate';

const HEADER = 4 + 4 + 8 + 4 + 2 + 2 + 2;
const INLINE = 0xffffffff;
const WRITE_BUFFER = 1 << 20;

/**
 * Field-name sets of the spooled events, numbered: validation hands every event of one
 * document shape the same Set (core/events/shapes.ts), so a record carries the shape's
 * number instead of its field names. Bounded: past `maxShapes` distinct Sets, the names
 * of a new one are written inline in its record.
 */
export class FieldShapes {
  private readonly sets: ReadonlySet<string>[] = [];
  private readonly ids = new Map<ReadonlySet<string>, number>();

  constructor(private readonly maxShapes = 10_000) {}

  static key(fields: ReadonlySet<string>): string {
    return JSON.stringify(Array.from(fields));
  }

  /** The number of `fields`, or INLINE with the key to write when the table is full and the Set is new. */
  idOf(fields: ReadonlySet<string>): { id: number; key: string | null } {
    const known = this.ids.get(fields);
    if (known !== undefined) return { id: known, key: null };
    if (this.sets.length >= this.maxShapes) return { id: INLINE, key: FieldShapes.key(fields) };
    const id = this.sets.push(fields) - 1;
    this.ids.set(fields, id);
    return { id, key: null };
  }

  get(id: number): ReadonlySet<string> {
    return this.sets[id];
  }

  get size(): number {
    return this.sets.length;
  }
}

/** Writing the spool failed (disk full, DATA_DIR not writable…). */
export class SpoolError extends Error {
  constructor(
    readonly file: string,
    cause: Error,
  ) {
    super(`cannot write the import spool ${file}: ${cause.message}`, { cause });
    this.name = 'SpoolError';
  }
}

export class SpoolWriter {
  private readonly out: fs.WriteStream;
  private buf = Buffer.allocUnsafe(WRITE_BUFFER);
  private pos = 0;
  private failure: Error | null = null;
  /** Bytes written so far (records, all of them). */
  bytes = 0;

  constructor(
    readonly file: string,
    private readonly shapes: FieldShapes,
  ) {
    this.out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
    this.out.on('error', (err) => {
      this.failure = new SpoolError(file, err);
    });
  }

  /** Appends one event; `await` the result only when it is not undefined (back-pressure). */
  add(line: number, e: ValidatedEvent): Promise<void> | undefined {
    const shape = this.shapes.idOf(e.fields);
    const inline = shape.key === null ? null : Buffer.from(shape.key, 'utf8');
    // Room for the worst case (3 UTF-8 bytes per UTF-16 unit); the strings are then written
    // once, straight into the buffer, and the lengths filled in afterwards.
    const chars = e.site.length + e.eventType.length + (e.eventId?.length ?? 0) + e.text.length;
    const room = HEADER + (inline ? 4 + inline.length : 0) + 3 * chars;
    let wait: Promise<void> | undefined;
    if (this.pos + room > this.buf.length) {
      wait = this.flushBuffer();
      if (room > this.buf.length) this.buf = Buffer.allocUnsafe(room);
    }
    const b = this.buf;
    const start = this.pos;
    let p = start + 4;
    p = b.writeUInt32LE(line, p);
    p = b.writeDoubleLE(e.timestamp, p);
    p = b.writeUInt32LE(shape.id, p);
    const lengths = p;
    p += 6;
    if (inline) {
      p = b.writeUInt32LE(inline.length, p);
      p += inline.copy(b, p);
    }
    const siteLen = b.write(e.site, p, 'utf8');
    p += siteLen;
    const typeLen = b.write(e.eventType, p, 'utf8');
    p += typeLen;
    const idLen = e.eventId === null ? 0 : b.write(e.eventId, p, 'utf8');
    p += idLen;
    p += b.write(e.text, p, 'utf8');
    b.writeUInt32LE(p - start - 4, start);
    b.writeUInt16LE(siteLen, lengths);
    b.writeUInt16LE(typeLen, lengths + 2);
    b.writeUInt16LE(e.eventId === null ? 0 : idLen + 1, lengths + 4);
    this.pos = p;
    this.bytes += p - start;
    return wait;
  }

  private flushBuffer(): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    if (this.pos === 0) return undefined;
    const full = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(WRITE_BUFFER);
    this.pos = 0;
    if (this.out.write(full)) return undefined;
    return once(this.out, 'drain').then(() => undefined);
  }

  async close(): Promise<void> {
    await this.flushBuffer();
    if (this.failure) throw this.failure;
    this.out.end();
    await once(this.out, 'finish');
    if (this.failure) throw this.failure;
  }

  /** Stops writing without waiting (on failure); the caller deletes the file. */
  abort(): void {
    this.out.destroy();
  }
}

export interface SpooledEvent extends ValidatedEvent {
  line: number;
}

/** The spooled events in order, in batches of one read each. */
export async function* readSpool(file: string, shapes: FieldShapes): AsyncGenerator<SpooledEvent[]> {
  let rest: Buffer | null = null;
  for await (const piece of fs.createReadStream(file, { highWaterMark: WRITE_BUFFER })) {
    const chunk: Buffer = rest ? Buffer.concat([rest, piece as Buffer]) : (piece as Buffer);
    rest = null;
    const batch: SpooledEvent[] = [];
    let p = 0;
    while (p + 4 <= chunk.length) {
      const size = chunk.readUInt32LE(p) + 4;
      if (p + size > chunk.length) break;
      batch.push(decodeRecord(chunk, p, size, shapes));
      p += size;
    }
    if (p < chunk.length) rest = Buffer.from(chunk.subarray(p));
    if (batch.length > 0) yield batch;
  }
  if (rest && rest.length > 0) throw new Error('the import spool file ends in the middle of a record');
}

function decodeRecord(b: Buffer, start: number, size: number, shapes: FieldShapes): SpooledEvent {
  let p = start + 4;
  const line = b.readUInt32LE(p);
  const timestamp = b.readDoubleLE(p + 4);
  const shape = b.readUInt32LE(p + 12);
  const siteLen = b.readUInt16LE(p + 16);
  const typeLen = b.readUInt16LE(p + 18);
  const idField = b.readUInt16LE(p + 20);
  p += 22;
  let fields: ReadonlySet<string>;
  if (shape === INLINE) {
    const n = b.readUInt32LE(p);
    fields = new Set(JSON.parse(b.toString('utf8', p + 4, p + 4 + n)) as string[]);
    p += 4 + n;
  } else {
    fields = shapes.get(shape);
  }
  const site = b.toString('utf8', p, (p += siteLen));
  const eventType = b.toString('utf8', p, (p += typeLen));
  let eventId: string | null = null;
  if (idField > 0) eventId = b.toString('utf8', p, (p += idField - 1));
  const text = b.toString('utf8', p, start + size);
  return { line, text, site, timestamp, eventType, eventId, day: Math.floor(timestamp / DAY_MS), fields };
}
