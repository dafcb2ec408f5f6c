import { isAscii } from 'node:buffer';

/** Bytes looked at per step: an all-ASCII block is copied as it is. */
const BLOCK = 4096;

/**
 * Writes the Latin-1 form of the UTF-8 text `src` into `dst` (at least as long) and returns
 * its length, or -1 as soon as a character beyond U+00FF (or a malformed sequence) shows
 * that it has none.
 */
export function utf8ToLatin1(src: Buffer, dst: Buffer): number {
  const n = src.length;
  let i = 0;
  let j = 0;
  while (i < n) {
    const end = Math.min(i + BLOCK, n);
    if (isAscii(src.subarray(i, end))) {
      j += src.copy(dst, j, i, end);
      i = end;
      continue;
    }
    // Byte by byte to the end of the block; a two-byte sequence may end one byte past it.
    while (i < end) {
      const c = src[i];
      if (c < 0x80) {
        dst[j++] = c;
        i++;
        continue;
      }
      // U+0080–U+00FF are the two-byte sequences led by 0xC2 and 0xC3.
      if ((c & 0xfe) !== 0xc2 || i + 1 >= n || (src[i + 1] & 0xc0) !== 0x80) return -1;
      dst[j++] = ((c & 0x03) << 6) | (src[i + 1] & 0x3f);
      i += 2;
    }
  }
  return j;
}

/**
 * Turns a batch's NDJSON bytes into the string subscribers get: exactly the UTF-8 decoding
 * of the bytes, made the cheap way where the text allows. Node makes a string of more than
 * ~1 MB from Latin-1 bytes as an external string, in memory from malloc that the next batch
 * reuses; V8 gives each large string it decodes itself fresh pages, and on this project's
 * virtual machines a fresh 4 KiB page costs ~12 µs to fault in (an 8 MiB batch: ~25 ms,
 * most of a no-op export run). So text that is ASCII, or whose characters all lie in
 * Latin-1 (accented Western names), is made from Latin-1 bytes; any other text is decoded
 * as UTF-8. External strings count as the heap's external memory, which the run's
 * HeapBudget watches, so delivered batches are freed in time either way.
 */
export class NdjsonText {
  private latin1: Buffer = Buffer.alloc(0);

  of(bytes: Buffer): string {
    if (isAscii(bytes)) return bytes.toString('latin1');
    if (this.latin1.length < bytes.length) this.latin1 = Buffer.allocUnsafe(bytes.length);
    const n = utf8ToLatin1(bytes, this.latin1);
    return n < 0 ? bytes.toString('utf8') : this.latin1.toString('latin1', 0, n);
  }
}
