import { NdjsonText, utf8ToLatin1 } from '../../cron/ndjson-text';

const MiB = 1024 * 1024;

/** An NDJSON batch of `lines` lines, each holding `text` at a different offset. */
function batch(lines: number, text: string): Buffer {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(JSON.stringify({ event_type: 'pageView', pad: 'x'.repeat(i % 5000), title: text, n: i }));
  return Buffer.from(out.join('\n') + '\n', 'utf8');
}

describe('NdjsonText', () => {
  const decoder = new NdjsonText();

  test.each([
    ['ASCII', 'Hello, world', ''],
    ['Latin-1 (accented names, the top of the range, NBSP, C1)', 'São Paulo, Île-de-France, ÿ, \u00a0, \u0080', ''],
    ['beyond Latin-1 (CJK, emoji, Ā)', 'São 東京 \u{1F600} Ā', ''],
    ['Latin-1 but for the very last line', 'São Paulo', '{"t":"€"}\n'],
  ])('gives exactly the UTF-8 decoding of a large batch: %s', (_name, text, last) => {
    const bytes = Buffer.concat([batch(3000, text), Buffer.from(last, 'utf8')]);
    expect(bytes.length).toBeGreaterThan(1 * MiB); // large enough for Node to make an external string
    expect(decoder.of(bytes)).toBe(bytes.toString('utf8'));
  });

  test('a two-byte character that straddles a 4 KiB block boundary', () => {
    for (let at = 4090; at < 4100; at++) {
      const bytes = Buffer.concat([Buffer.alloc(at, 0x61), Buffer.from('é', 'utf8'), Buffer.alloc(10, 0x62)]);
      expect(decoder.of(bytes)).toBe(bytes.toString('utf8'));
    }
  });

  test('bytes that are not Latin-1 as UTF-8 are refused by the converter and decoded as UTF-8', () => {
    const dst = Buffer.alloc(16);
    expect(utf8ToLatin1(Buffer.from('aé', 'utf8'), dst)).toBe(2);
    expect(dst.subarray(0, 2)).toEqual(Buffer.from([0x61, 0xe9]));
    expect(utf8ToLatin1(Buffer.from('a€', 'utf8'), dst)).toBe(-1);
    expect(utf8ToLatin1(Buffer.from([0x61, 0xc3]), dst)).toBe(-1); // cut short
    expect(utf8ToLatin1(Buffer.from([0xc3, 0x41]), dst)).toBe(-1); // no continuation byte
    const odd = Buffer.from([0x61, 0xc3, 0x41, 0x0a]);
    expect(decoder.of(odd)).toBe(odd.toString('utf8'));
  });
});
