/**
 * archive: keeps every export batch as gzipped NDJSON files on disk, partitioned by event
 * day — `<directory>/YYYY/MM/DD/<batch id>.ndjson.gz` — for a data lake, a warehouse load
 * job or plain backups.
 *
 * - A batch whose events span several days (late arrivals) is split: one file per day, each
 *   holding only that day's events (UTC, by event_timestamp) in batch order, so a reader
 *   that picks a day's folder gets every event of that day and nothing else.
 * - Each file is written atomically: a temporary file in the same folder, fsync, rename,
 *   then fsync of the folder. A reader never sees half a file, and a crash leaves either
 *   the old file or the new one.
 * - Files are named by batch id, and the export keeps a batch's id when it delivers it
 *   again, so a redelivered batch replaces its files rather than adding duplicates.
 *
 * Config: "integrations": { "archive": { "enabled": true, "directory": "archive" } }
 * (`directory` is relative to the data directory; an absolute path works too).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { E_USER_NOTICE, definePlugin, type ExportBatch } from '../../index';

const gzipAsync = promisify(gzip);

/** `YYYY/MM/DD` of a timestamp in ms, UTC; `undated` for an event without a usable one. */
export function partitionOf(eventTimestamp: unknown): string {
  if (typeof eventTimestamp !== 'number' || !Number.isFinite(eventTimestamp)) return 'undated';
  const date = new Date(eventTimestamp);
  if (Number.isNaN(date.getTime())) return 'undated';
  return date.toISOString().slice(0, 10).replace(/-/g, '/');
}

/** Writes `data` to `file` so that the file is either absent, the old one, or all of the new one. */
export async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  // Same folder as the target: rename() is only atomic within one file system.
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync(); // the bytes are on disk before the name points at them
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  // The rename itself is durable once the folder is synced (not possible on every platform).
  const folder = await fs.open(dir, 'r').catch(() => undefined);
  await folder?.sync().catch(() => undefined);
  await folder?.close();
}

export default definePlugin({
  name: 'archive',
  register(hooks, context) {
    const configured = context.config.directory ?? 'archive';
    if (typeof configured !== 'string' || configured === '') throw new Error('integrations.archive.directory must be a non-empty path');
    const directory = path.resolve(context.data_dir, configured);

    hooks.add_action(
      'altis.analytics.export.data.process',
      async (ndjson: string, batch?: ExportBatch) => {
        // Without a descriptor the name comes from the content, which is stable across redeliveries too.
        const id = batch?.id ?? createHash('sha256').update(ndjson).digest('hex').slice(0, 32);
        const name = id.replace(/[^A-Za-z0-9._-]/g, '_') + '.ndjson.gz';

        // Group the lines by event day, keeping their order.
        const days = new Map<string, string[]>();
        for (const line of ndjson.split('\n')) {
          if (line.trim() === '') continue;
          let timestamp: unknown;
          try {
            timestamp = (JSON.parse(line) as { event_timestamp?: unknown }).event_timestamp;
          } catch {
            timestamp = undefined; // kept, under `undated/`: an archive loses nothing
          }
          const day = partitionOf(timestamp);
          if (!days.has(day)) days.set(day, []);
          days.get(day)!.push(line);
        }

        for (const [day, lines] of days) {
          const file = path.join(directory, day, name);
          await writeFileAtomic(file, await gzipAsync(lines.join('\n') + '\n'));
        }
        hooks.do_action('altis.analytics.export.log', `Archive: batch ${id} written to ${days.size} file(s) under ${directory}`, E_USER_NOTICE);
      },
      10,
      2,
    );
    context.log.info(`archiving export batches under ${directory}`);
  },
});
