/**
 * Splits a byte stream into lines without holding more than one line (plus one read
 * chunk) in memory: the NDJSON reader of `import`. Lines come in batches (one per chunk
 * read) so a 1 GB file costs one await per chunk, not per line.
 */
import { isUtf8 } from 'node:buffer';

export class LineError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'LineError';
  }
}

export interface LineBatch {
  /** Line texts, without the line feed (a trailing CR is left for the validator to drop). */
  lines: string[];
  /** Number of the first line of this batch (1-based). */
  first: number;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Lines of `source` in batches. A line longer than `maxLineBytes` (its text, not counting
 * the line feed) is an error naming its number, as is a line that is not valid UTF-8.
 */
export async function* readLines(source: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<LineBatch> {
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let line = 1;
  let atStart = true;
  const decode = (buf: Buffer, n: number): string => {
    if (!isUtf8(buf)) throw new LineError(n, 'is not valid UTF-8');
    return buf.toString('utf8');
  };
  for await (const piece of source) {
    let chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    if (atStart) {
      if (chunk.length === 0) continue;
      atStart = false;
      if (chunk.length >= 3 && chunk.subarray(0, 3).equals(UTF8_BOM)) chunk = chunk.subarray(3);
    }
    const batch: LineBatch = { lines: [], first: line };
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      let bytes = chunk.subarray(start, nl);
      if (carry.length > 0) {
        carry.push(bytes);
        bytes = Buffer.concat(carry, carryBytes + bytes.length);
        carry = [];
        carryBytes = 0;
      }
      if (bytes.length > maxLineBytes) throw new LineError(line, `is longer than ${maxLineBytes} bytes (ingest.max_body_bytes)`);
      batch.lines.push(decode(bytes, line));
      line++;
      start = nl + 1;
    }
    if (start < chunk.length) {
      // Copy: the rest of the chunk must not pin the whole chunk's memory.
      const rest = Buffer.from(chunk.subarray(start));
      carry.push(rest);
      carryBytes += rest.length;
      if (carryBytes > maxLineBytes) throw new LineError(line, `is longer than ${maxLineBytes} bytes (ingest.max_body_bytes)`);
    }
    if (batch.lines.length > 0) yield batch;
  }
  if (carryBytes > 0) {
    const bytes = Buffer.concat(carry, carryBytes);
    yield { lines: [decode(bytes, line)], first: line };
  }
}
