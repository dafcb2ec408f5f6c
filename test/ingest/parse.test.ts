import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventValidationError, formatOfContentType, IngestBodyError, parseJsonEvents, parseNdjsonEvents, parseNdjsonLine } from '../../core/ingest/parse';
import { readLines, LineError, type LineBatch } from '../../core/ingest/lines';
import { FieldShapes, readSpool, SpoolWriter } from '../../core/ingest/spool';
import { altisEvent, DAY } from '../support/events';

function thrown(fn: () => unknown): EventValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EventValidationError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('body parsing shared by the HTTP route and import', () => {
  test('Content-Type selects the format; other types and charsets are refused', () => {
    expect(formatOfContentType('application/json')).toBe('json');
    expect(formatOfContentType('Application/JSON; charset=UTF-8')).toBe('json');
    expect(formatOfContentType('application/x-ndjson')).toBe('ndjson');
    expect(formatOfContentType('application/x-ndjson; charset="utf-8"')).toBe('ndjson');
    expect(formatOfContentType('application/json; charset=iso-8859-1')).toBeNull();
    expect(formatOfContentType('text/plain')).toBeNull();
    expect(formatOfContentType(undefined)).toBeNull();
  });

  test('a JSON array keeps each element as its exact text; one object is one event', () => {
    const a = `{"event_type":"a",   "event_timestamp":${DAY}}`;
    const b = JSON.stringify(altisEvent(DAY + 1));
    expect(parseJsonEvents(`\n[ ${a} ,\n\t${b} ]\n`).map((e) => e.text)).toEqual([a, b]);
    expect(parseJsonEvents(`  ${a}\n`).map((e) => e.text)).toEqual([a]);
  });

  test('errors in a JSON array name the 0-based index, the field and the reason', () => {
    const ok = JSON.stringify(altisEvent(DAY));
    expect(thrown(() => parseJsonEvents(`[${ok}, {"event_timestamp": ${DAY}}]`))).toMatchObject({ position: { index: 1 }, field: 'event_type', reason: 'is missing' });
    expect(thrown(() => parseJsonEvents(`[${ok}, ${ok}, {"event_type":"x","event_timestamp":"${DAY}"}]`))).toMatchObject({
      position: { index: 2 },
      field: 'event_timestamp',
    });
    expect(thrown(() => parseJsonEvents(`[${ok}, {"event_type":]`)).position).toEqual({ index: 1 });
    expect(thrown(() => parseJsonEvents(`[${ok}, 42]`))).toMatchObject({ position: { index: 1 }, reason: 'is not a JSON object' });
    expect(thrown(() => parseJsonEvents(`{"event_type":"x"`)).position).toEqual({ index: 0 });
    expect(() => parseJsonEvents(' ')).toThrow(IngestBodyError);
    expect(() => parseJsonEvents('[]')).toThrow(IngestBodyError);
  });

  test('NDJSON: 1-based lines, blank lines skipped but counted, CR dropped', () => {
    const a = JSON.stringify(altisEvent(DAY));
    const events = parseNdjsonEvents(`${a}\r\n\n  ${a}  \n`);
    expect(events.map((e) => e.text)).toEqual([a, a]);
    expect(thrown(() => parseNdjsonEvents(`${a}\n\n\n{"event_type":"x"}`))).toMatchObject({ position: { line: 4 }, field: 'event_timestamp' });
    expect(() => parseNdjsonEvents('\n \r\n')).toThrow(IngestBodyError);
    expect(parseNdjsonLine(' \t\r', 9)).toBeNull();
    expect(parseNdjsonLine(`${a}\r`, 9)?.text).toBe(a);
  });
});

async function collect(source: AsyncIterable<Buffer | string>, max = 1 << 20): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of readLines(source, max)) {
    batch.lines.forEach((l, i) => out.push(`${batch.first + i}:${l}`));
  }
  return out;
}

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.isBuffer(p) ? p : Buffer.from(p);
}

describe('streaming line reader', () => {
  test('lines split across chunks (even inside a UTF-8 character) come out whole and numbered', async () => {
    const euro = Buffer.from('€');
    const lines = await collect(chunks('\uFEFFab', 'c\nd', Buffer.concat([Buffer.from('\n'), euro.subarray(0, 1)]), Buffer.concat([euro.subarray(1), Buffer.from('x\r\n\nlast')])));
    expect(lines).toEqual(['1:abc', '2:d', '3:€x\r', '4:', '5:last']);
  });

  test('a line over the limit and invalid UTF-8 are errors naming the line', async () => {
    await expect(collect(chunks('ok\n', 'x'.repeat(50), 'y'.repeat(50)), 80)).rejects.toMatchObject({ line: 2 });
    await expect(collect(chunks('ok\n', 'x'.repeat(81), '\n'), 80)).rejects.toBeInstanceOf(LineError);
    await expect(collect(chunks('ok\n', Buffer.from([0x7b, 0xe9, 0x7d, 0x0a])))).rejects.toMatchObject({ line: 2, reason: 'is not valid UTF-8' });
  });

  test('it streams: the first lines are handed over before the input has ended', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* slow(): AsyncGenerator<Buffer> {
      yield Buffer.from('one\ntwo\n');
      await gate;
      yield Buffer.from('three\n');
    }
    const it = readLines(slow(), 100)[Symbol.asyncIterator]();
    const first = (await it.next()).value as LineBatch;
    expect(first).toEqual({ lines: ['one', 'two'], first: 1 });
    release();
    expect(((await it.next()).value as LineBatch).lines).toEqual(['three']);
    expect((await it.next()).done).toBe(true);
  });
});

describe('import spool', () => {
  test('events come back as validated, in order, sharing one field Set per shape; overflowing shapes are written inline', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ah-spool-'));
    try {
      const shapes = new FieldShapes(2);
      const file = path.join(dir, 's.spool');
      const w = new SpoolWriter(file, shapes);
      const docs = [
        altisEvent(DAY + 1, { event_id: 'a' }),
        altisEvent(DAY + 2),
        altisEvent(DAY + 3, { extra: 1 }),
        altisEvent(DAY + 4, { other: { deep: 'é' } }),
        altisEvent(DAY + 5, { attributes: { blogId: 'ß7' }, event_type: 'clïck', pad: 'x'.repeat(3 << 20) }),
        altisEvent(DAY + 6),
      ];
      const lines = docs.map((d) => JSON.stringify(d));
      for (let i = 0; i < lines.length; i++) {
        const wait = w.add(i + 10, parseNdjsonLine(lines[i], i + 10)!);
        if (wait) await wait;
      }
      await w.close();
      const back: { line: number; text: string; site: string; eventType: string; eventId: string | null; day: number; timestamp: number; fields: ReadonlySet<string> }[] = [];
      for await (const batch of readSpool(file, shapes)) back.push(...batch);
      expect(back.map((e) => e.text)).toEqual(lines);
      expect(back.map((e) => e.line)).toEqual([10, 11, 12, 13, 14, 15]);
      expect(back[0]).toMatchObject({ eventId: 'a', site: '1', eventType: 'pageView', timestamp: DAY + 1, day: DAY / 86_400_000 });
      expect(back[4]).toMatchObject({ eventId: null, site: 'ß7', eventType: 'clïck' });
      // Same shape, same Set; new shapes past the table's size (2) still carry their own fields.
      expect(back[5].fields).toBe(back[1].fields);
      expect(back[0].fields).not.toBe(back[1].fields);
      expect([...back[3].fields]).toContain('other.deep');
      expect(shapes.size).toBe(2);
      for (const e of back) expect([...e.fields].sort()).toEqual([...parseNdjsonLine(e.text, 1)!.fields].sort());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
