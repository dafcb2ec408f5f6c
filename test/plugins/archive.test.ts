import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import archive, { writeFileAtomic } from '../../plugins/archive';
import { runExport } from '../../cron/export-run';
import { altisEvent, DAY, validated } from '../support/events';
import { createTestHost } from '../support/host';
import { contextFor, hooksWithLog, ndjsonOf, tempDir } from './receiver';

const HOUR = 3600_000;
const read = (file: string) => gunzipSync(fs.readFileSync(file)).toString();
/** Every file under dir, relative, sorted. */
const listFiles = (dir: string): string[] =>
  fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]).filter((d) => d.isFile()).map((d) => path.relative(dir, path.join(d.parentPath, d.name))).sort() : [];

async function setup(config: Record<string, unknown> = {}) {
  const dataDir = tempDir();
  const { hooks, log } = hooksWithLog();
  await archive.register(hooks, contextFor('archive', config, dataDir));
  const send = (ndjson: string, id = 'batch-1') => hooks.do_action_async('altis.analytics.export.data.process', ndjson, { id, files: 1, events: 1 });
  return { dataDir, hooks, log, send };
}

describe('archive plugin', () => {
  test('a batch becomes a gzipped NDJSON file under directory/YYYY/MM/DD/<batch id>.ndjson.gz (UTC day of event_timestamp)', async () => {
    const { dataDir, send } = await setup();
    const ndjson = ndjsonOf([altisEvent(DAY + 1), altisEvent(DAY + 23 * HOUR)]);
    await send(ndjson, 'b-1');
    const dir = path.join(dataDir, 'archive');
    expect(listFiles(dir)).toEqual(['2026/11/20/b-1.ndjson.gz']);
    expect(read(path.join(dir, '2026/11/20/b-1.ndjson.gz'))).toBe(ndjson);
  });

  test('a batch spanning days is split: each day folder holds only that day\'s events, in batch order', async () => {
    const { dataDir, send } = await setup({ directory: 'lake/events' });
    const lines = [altisEvent(DAY + HOUR), altisEvent(DAY - HOUR), altisEvent(DAY + 2 * HOUR), altisEvent(DAY - 2 * HOUR)].map((e) => JSON.stringify(e));
    await send(lines.join('\n') + '\n', 'b-2');
    const dir = path.join(dataDir, 'lake/events');
    expect(listFiles(dir)).toEqual(['2026/11/19/b-2.ndjson.gz', '2026/11/20/b-2.ndjson.gz']);
    expect(read(path.join(dir, '2026/11/20/b-2.ndjson.gz'))).toBe(`${lines[0]}\n${lines[2]}\n`);
    expect(read(path.join(dir, '2026/11/19/b-2.ndjson.gz'))).toBe(`${lines[1]}\n${lines[3]}\n`);
  });

  test('a redelivered batch replaces its file instead of adding a duplicate', async () => {
    const { dataDir, send } = await setup();
    await send(ndjsonOf([altisEvent(DAY + 1)]), 'same-id');
    const again = ndjsonOf([altisEvent(DAY + 1), altisEvent(DAY + 2)]);
    await send(again, 'same-id');
    const dir = path.join(dataDir, 'archive');
    expect(listFiles(dir)).toEqual(['2026/11/20/same-id.ndjson.gz']); // no temp files either
    expect(read(path.join(dir, '2026/11/20/same-id.ndjson.gz'))).toBe(again);
  });

  test('an absolute directory is used as is; odd characters in the batch id cannot escape it', async () => {
    const target = tempDir();
    const { send } = await setup({ directory: target });
    await send(ndjsonOf([altisEvent(DAY)]), '../../etc/x:1');
    expect(listFiles(target)).toEqual(['2026/11/20/.._.._etc_x_1.ndjson.gz']);
  });

  test('writes are atomic: a reader polling the file only ever sees a whole old or a whole new version', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'day', 'b.ndjson.gz');
    // Incompressible payloads of ~2 MB, each version recognisable by its first byte.
    const versions = Array.from({ length: 12 }, (_, v) => gzipSync(Buffer.concat([Buffer.from([v]), randomBytes(2 << 20)]), { level: 0 }));
    await writeFileAtomic(file, versions[0]);
    let reads = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const data = fs.readFileSync(file);
        const version = gunzipSync(data)[0]; // throws on a partial file
        expect(data.equals(versions[version])).toBe(true);
        reads++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (const v of versions.slice(1)) await writeFileAtomic(file, v);
    polling = false;
    await poll;
    expect(reads).toBeGreaterThan(0);
    expect(fs.readFileSync(file).equals(versions[versions.length - 1])).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['b.ndjson.gz']);
  });

  test('when the file cannot be written the callback rejects, so the export keeps the batch', async () => {
    const { dataDir, send } = await setup();
    fs.writeFileSync(path.join(dataDir, 'archive'), 'a file where the folder should be');
    await expect(send(ndjsonOf([altisEvent(DAY)]))).rejects.toThrow(/ENOTDIR|EEXIST/);
  });

  test('end to end: an export run archives the pending files and marks them exported', async () => {
    const t = await createTestHost('sqlite');
    try {
      await archive.register(t.hooks, contextFor('archive', {}, t.config.data_dir));
      await t.host.store.ingest.storeFile(validated([altisEvent(DAY + 1), altisEvent(DAY + 2)]), 'import');
      const outcome = await runExport(t.host, { trigger: 'manual' });
      expect(outcome).toMatchObject({ status: 'ran', run: { result: 'ok', events: 2, files: 1 } });
      expect(await t.host.store.files.pendingTotals()).toEqual({ files: 0, events: 0 });
      const files = listFiles(path.join(t.config.data_dir, 'archive'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^2026\/11\/20\/[0-9a-f]{32}\.ndjson\.gz$/);
      expect(read(path.join(t.config.data_dir, 'archive', files[0])).trim().split('\n').map((l) => JSON.parse(l).event_timestamp)).toEqual([DAY + 1, DAY + 2]);
    } finally {
      await t.cleanup();
    }
  });
});
