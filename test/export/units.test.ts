import { buildFieldTrie, cellText, CsvRowBuilder } from '../../rest/export/csv';
import { parseCalendarDate } from '../../rest/export/params';
import { JsonDayWriter, NdjsonDayWriter } from '../../rest/export/writers';
import { flattenedFieldNames } from '../../core/events/flatten';

describe('parseCalendarDate', () => {
  test.each([
    ['2026-11-20', Date.UTC(2026, 10, 20)],
    ['2028-02-29', Date.UTC(2028, 1, 29)],
    ['2000-02-29', Date.UTC(2000, 1, 29)],
    ['0099-01-01', new Date('0099-01-01T00:00:00Z').getTime()],
  ])('%s is a date', (s, ms) => expect(parseCalendarDate(s)).toBe(ms));

  test.each(['2026-02-30', '2026-02-29', '1900-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-11-2', '2026-11-20T00:00:00Z', ' 2026-11-20', '２０２６-11-20', ''])(
    '%p is not',
    (s) => expect(parseCalendarDate(s)).toBeNull(),
  );
});

describe('CSV cells', () => {
  test.each<[unknown, string]>([
    ['a,b', 'a,b'],
    [1.5, '1.5'],
    [1e21, '1e+21'],
    [-0, '0'],
    [true, 'true'],
    [false, 'false'],
    [null, ''],
    [undefined, ''],
    [[], ''],
    [['a', 1, true, null], 'a;1;true;'],
    [[{ k: 1 }, 2], '[{"k":1},2]'],
    [[[1], [2]], '[[1],[2]]'],
  ])('%p → %p', (value, text) => expect(cellText(value)).toBe(text));

  test('field names with dots land on the same column as nested objects', () => {
    const header = ['a.b', 'a.c.d', 'x'];
    const b = new CsvRowBuilder(header, { escapeFormulas: false });
    expect(b.row({ a: { b: 1, c: { d: 'n' } }, x: 'y' })).toEqual(['1', 'n', 'y']);
    expect(b.row({ 'a.b': 2, 'a.c': { d: 'm' } })).toEqual(['2', 'm', '']);
    expect(b.row({ a: 'leaf', unknown: 1 })).toEqual(['', '', '']);
    expect(buildFieldTrie(header).children?.get('a')?.children?.get('c')?.children?.get('d')?.column).toBe(1);
  });

  test('the row builder and the registry flatten a document to the same names', () => {
    const doc = { event_type: 'x', a: { b: { c: 1 }, e: [] }, '': { z: 1 }, 'p.q': 2, n: null, o: {} };
    const header = [...flattenedFieldNames(doc)].sort();
    const row = new CsvRowBuilder(header, { escapeFormulas: false }).row(doc);
    expect(Object.fromEntries(header.map((h, i) => [h, row[i]]))).toEqual({ z: '1', 'a.b.c': '1', 'a.e': '', event_type: 'x', n: '', 'p.q': '2' });
  });

  test('rows text: RFC 4180 quoting of comma, quote, LF and a lone CR', () => {
    const b = new CsvRowBuilder(['a', 'b', 'c', 'd'], { escapeFormulas: false });
    const text = b.rowsText([Buffer.from(JSON.stringify({ a: 'x,y', b: 'say "hi"', c: 'l1\nl2', d: 'r\rs' }))]);
    expect(text).toBe('"x,y","say ""hi""","l1\nl2","r\rs"\n');
  });

  test('formula escaping covers = + - @ tab CR only (not full-width forms), header included', () => {
    const b = new CsvRowBuilder(['=h', 'v'], { escapeFormulas: true });
    expect(b.headerText()).toBe("'=h,v\n");
    const cells = ['=1', '+1', '-1', '@a', '\tt', '\rr', '＝1', 'a=1', ''].map((v) => b.row({ v })[1]);
    expect(cells).toEqual(["'=1", "'+1", "'-1", "'@a", "'\tt", "'\rr", '＝1', 'a=1', '']);
  });

  test('more rows than one csv-stringify batch come out in order', () => {
    const b = new CsvRowBuilder(['i'], { escapeFormulas: false });
    const docs = Array.from({ length: 100 }, (_, i) => Buffer.from(`{"i":${i}}`));
    expect(b.rowsText(docs)).toBe(Array.from({ length: 100 }, (_, i) => `${i}\n`).join(''));
  });
});

describe('JSON and NDJSON writers', () => {
  const pull = (w: { start(): Buffer | string; add(d: Buffer | string): void; take(): Buffer; end(): Buffer | string; release(c: Buffer | string): void }, pages: (Buffer | string)[][]) => {
    const out: Buffer[] = [Buffer.from(w.start())];
    for (const page of pages) {
      for (const d of page) w.add(d);
      const chunk = w.take();
      out.push(Buffer.from(chunk)); // a copy: the writer reuses its buffer once released
      w.release(chunk);
    }
    out.push(Buffer.from(w.end()));
    return Buffer.concat(out).toString();
  };
  test('pages join with commas across page boundaries; bytes and text give the same output', () => {
    expect(pull(new JsonDayWriter(), [[Buffer.from('{"a":1}'), '{ "b" : "é" }'], [], ['{}']])).toBe('[{"a":1},{ "b" : "é" },{}]');
    expect(pull(new JsonDayWriter(), [])).toBe('[]');
  });
  test('NDJSON ends every document with a newline', () => {
    expect(pull(new NdjsonDayWriter(), [[Buffer.from('{"a":1}')], ['{"b":2}', Buffer.from('{}')]])).toBe('{"a":1}\n{"b":2}\n{}\n');
  });
  test('released buffers are reused, and a chunk larger than the last one still fits', () => {
    const w = new JsonDayWriter();
    w.start();
    const big = 'x'.repeat(50_000);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      for (let k = 0; k <= i; k++) w.add(JSON.stringify({ i, k, big }));
      const chunk = w.take();
      seen.push(chunk.toString());
      w.release(chunk);
    }
    const all = JSON.parse('[' + seen.join('') + ']') as { i: number; k: number }[];
    expect(all.map((d) => `${d.i}.${d.k}`)).toEqual([0, 1, 2, 3, 4, 5].flatMap((i) => Array.from({ length: i + 1 }, (_, k) => `${i}.${k}`)));
  });
});
