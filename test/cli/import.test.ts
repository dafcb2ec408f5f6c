import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { PassThrough } from 'node:stream';
import { createHooks } from '../../hooks';
import { BACKENDS } from '../support/backends';
import { altisEvent, DAY } from '../support/events';
import { storedDocuments, storedFiles } from '../ingest/helpers';
import { cli, cliTestDatabase } from './run';

const SUMMARY = /^Success: imported (\d+) events in (\d+) files? \((\d+) duplicates?\) in \d+\.\ds\n$/;

function ndjson(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => JSON.stringify(altisEvent(DAY + from + i, { event_id: `e-${from + i}` })));
}

describe.each(BACKENDS)('analytics-host import on %s', (backend) => {
  const t = cliTestDatabase(backend);
  const write = (name: string, data: string | Buffer) => {
    const file = path.join(t.db.dataDir, name);
    fs.writeFileSync(file, data);
    return file;
  };
  const nothingStored = async () => expect(await (await t.store()).files.pendingTotals()).toEqual({ files: 0, events: 0 });
  const noSpoolLeft = () => expect(fs.readdirSync(t.db.dataDir).filter((f) => f.endsWith('.spool'))).toEqual([]);

  test('an NDJSON file goes into files of --events-per-file events, each event byte for byte, in order', async () => {
    const lines = ndjson(5);
    const file = write('events.ndjson', `${lines[0]}\n${lines[1]}\r\n\n${lines[2]}\n${lines[3]}\n${lines[4]}`);
    const r = await cli(t.db, ['import', file, '--events-per-file', '2']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(SUMMARY);
    expect(SUMMARY.exec(r.stdout)!.slice(1, 4)).toEqual(['5', '3', '0']);
    const s = await t.store();
    expect((await storedFiles(s)).map((f) => f.events)).toEqual([2, 2, 1]);
    expect(await storedDocuments(s)).toEqual(lines);
    noSpoolLeft();
  });

  test('the default is 5000 events per file; a relative path is taken from the working directory', async () => {
    write('many.ndjson', ndjson(5001).join('\n') + '\n');
    const r = await cli(t.db, ['import', 'many.ndjson']);
    expect(r.code).toBe(0);
    expect(SUMMARY.exec(r.stdout)!.slice(1, 4)).toEqual(['5001', '2', '0']);
    expect((await storedFiles(await t.store())).map((f) => f.events)).toEqual([5000, 1]);
  });

  test('gzip is read whether named .gz or recognised by its magic bytes', async () => {
    const lines = ndjson(30);
    const a = write('a.ndjson.gz', zlib.gzipSync(lines.slice(0, 10).join('\n')));
    const b = write('b.data', zlib.gzipSync(lines.slice(10).join('\n') + '\n'));
    expect((await cli(t.db, ['import', a])).code).toBe(0);
    const r = await cli(t.db, ['import', b, '--events-per-file', '15']);
    expect(r.code).toBe(0);
    expect(SUMMARY.exec(r.stdout)!.slice(1, 4)).toEqual(['20', '2', '0']);
    expect(await storedDocuments(await t.store())).toEqual(lines);
  });

  test('- reads standard input, plain or gzip, and leaves no spool file behind', async () => {
    const lines = ndjson(12);
    const plain = await cli(t.db, ['import', '-', '--events-per-file', '5'], { stdin: lines.slice(0, 6).join('\n') });
    expect(plain.code).toBe(0);
    expect(SUMMARY.exec(plain.stdout)!.slice(1, 4)).toEqual(['6', '2', '0']);
    // gzip arriving in small pieces, as a pipe delivers it.
    const gz = zlib.gzipSync(lines.slice(6).join('\n'));
    const stdin = new PassThrough();
    const done = cli(t.db, ['import', '-'], { stdin });
    for (let i = 0; i < gz.length; i += 7) stdin.write(gz.subarray(i, i + 7));
    stdin.end();
    const r = await done;
    expect(r.code).toBe(0);
    expect(SUMMARY.exec(r.stdout)!.slice(1, 4)).toEqual(['6', '1', '0']);
    expect(await storedDocuments(await t.store())).toEqual(lines);
    noSpoolLeft();
  });

  test('events already stored are counted as duplicates', async () => {
    const file = write('e.ndjson', ndjson(4).join('\n'));
    expect(SUMMARY.exec((await cli(t.db, ['import', file])).stdout)!.slice(1, 4)).toEqual(['4', '1', '0']);
    const file2 = write('f.ndjson', ndjson(6).join('\n'));
    expect(SUMMARY.exec((await cli(t.db, ['import', file2])).stdout)!.slice(1, 4)).toEqual(['2', '1', '4']);
    expect(await (await t.store()).files.pendingTotals()).toEqual({ files: 2, events: 6 });
  });

  test('a bad event on the last line stores nothing, even files that came before it', async () => {
    const lines = ndjson(6);
    const { event_type: _omit, ...bad } = altisEvent(DAY);
    void _omit;
    const file = write('bad.ndjson', [...lines, JSON.stringify(bad)].join('\n'));
    const r = await cli(t.db, ['import', file, '--events-per-file', '2']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'Error: line 7: event_type is missing (nothing was imported)\n' });
    await nothingStored();
    noSpoolLeft();
  });

  test('invalid JSON and a string event_timestamp are named by line and field', async () => {
    const lines = ndjson(3);
    const broken = write('broken.ndjson', `${lines[0]}\n\n{"event_type":"pageView","event_timestamp":${DAY},}\n${lines[1]}`);
    const a = await cli(t.db, ['import', broken]);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/^Error: line 3: is not valid JSON \(.*\) \(nothing was imported\)\n$/);
    const ts = write('ts.ndjson', `${lines[0]}\n${JSON.stringify(altisEvent(DAY, { event_timestamp: String(DAY) }))}\n`);
    const b = await cli(t.db, ['import', ts]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/^Error: line 2: event_timestamp must be an integer/);
    await nothingStored();
  });

  test('a truncated gzip file is an error naming it, and nothing is stored', async () => {
    const gz = zlib.gzipSync(ndjson(2000).join('\n'));
    const file = write('cut.ndjson.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const r = await cli(t.db, ['import', file, '--events-per-file', '100']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: ${file} is a truncated gzip file (unexpected end of file) (nothing was imported)\n`);
    await nothingStored();
    noSpoolLeft();
    // Truncated on standard input too.
    const s = await cli(t.db, ['import', '-'], { stdin: gz.subarray(0, gz.length - 9) });
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/^Error: standard input is a truncated gzip file/);
    await nothingStored();
  });

  test('a line longer than ingest.max_body_bytes is refused by number; invalid UTF-8 too', async () => {
    const cfg = write('config.json', JSON.stringify({ ingest: { max_body_bytes: 2000 } }));
    const lines = ndjson(2);
    const long = JSON.stringify(altisEvent(DAY, { pad: 'x'.repeat(3000) }));
    const file = write('long.ndjson', [lines[0], long, lines[1]].join('\n'));
    const r = await cli(t.db, ['import', file], { env: { ANALYTICS_CONFIG: cfg } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: line 2: is longer than 2000 bytes/);
    const latin1 = write('latin1.ndjson', Buffer.concat([Buffer.from(lines[0] + '\n'), Buffer.from(`{"event_type":"caf\xe9","event_timestamp":${DAY}}\n`, 'latin1')]));
    const u = await cli(t.db, ['import', latin1]);
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/^Error: line 2: is not valid UTF-8/);
    await nothingStored();
  });

  test('a missing file is an error; bad --events-per-file is a usage error (exit 2)', async () => {
    const missing = await cli(t.db, ['import', path.join(t.db.dataDir, 'nope.ndjson')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error: .*nope\.ndjson: no such file \(nothing was imported\)\n$/);
    const file = write('ok.ndjson', ndjson(1).join('\n'));
    for (const n of ['0', 'abc', '-3', '100001', '1.5']) {
      const r = await cli(t.db, ['import', file, '--events-per-file', n]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/events-per-file/);
    }
    expect((await cli(t.db, ['import'])).code).toBe(2);
    await nothingStored();
  });

  test('an empty input imports nothing and says so', async () => {
    const file = write('empty.ndjson', '\n\n');
    const r = await cli(t.db, ['import', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Success: imported 0 events in 0 files/);
    expect(r.stderr).toMatch(/^Warning: no events found/);
    await nothingStored();
  });

  test('on a terminal a progress bar is drawn on stderr; the summary still goes to stdout', async () => {
    const file = write('p.ndjson', ndjson(300).join('\n'));
    const r = await cli(t.db, ['import', file, '--events-per-file', '100'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Validating \[=+ *\]\s+\d+%/);
    expect(r.stderr).toMatch(/Importing {2}\[=+\] 100% {2}300\/300 events/);
    expect(r.stdout).toMatch(SUMMARY);
  });

  test('altis.analytics.events_ingested runs once per stored file with source "import"', async () => {
    const hooks = createHooks();
    const seen: { accepted: number; duplicates: number; source: string; file: string }[] = [];
    hooks.add_action('altis.analytics.events_ingested', (info: unknown) => {
      seen.push(info as (typeof seen)[number]);
    });
    const file = write('h.ndjson', ndjson(5).join('\n'));
    expect((await cli(t.db, ['import', file, '--events-per-file', '2'], { hooks })).code).toBe(0);
    expect(seen.map((s) => [s.accepted, s.duplicates, s.source])).toEqual([
      [2, 0, 'import'],
      [2, 0, 'import'],
      [1, 0, 'import'],
    ]);
    expect(seen.map((s) => s.file)).toEqual((await storedFiles(await t.store())).map((f) => f.uuid));
  });
});
