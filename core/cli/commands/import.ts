import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_EVENTS_PER_FILE, ImportError, importNdjson, MAX_EVENTS_PER_FILE, type ImportProgress } from '../../ingest/import';
import { print, withHost, type CliEnvironment } from '../context';
import { CliError, UsageError } from '../errors';

function parseEventsPerFile(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_EVENTS_PER_FILE) {
    throw new UsageError(`--events-per-file must be an integer from 1 to ${MAX_EVENTS_PER_FILE}, got "${value}".`);
  }
  return Number(value);
}

const group = (n: number) => n.toLocaleString('en-US');

/** A one-line progress bar, redrawn in place on a terminal. */
export function progressLine(p: ImportProgress, width = 30): string {
  const label = p.phase === 'validate' ? 'Validating' : 'Importing ';
  let fraction: number | null = null;
  if (p.phase === 'store' && p.totalEvents) fraction = p.events / p.totalEvents;
  else if (p.phase === 'validate' && p.totalBytes) fraction = p.bytes / p.totalBytes;
  const counts = p.phase === 'store' && p.totalEvents !== null ? `${group(p.events)}/${group(p.totalEvents)} events` : `${group(p.events)} events`;
  if (fraction === null) return `${label} ${counts}`;
  const f = Math.max(0, Math.min(1, fraction));
  const filled = Math.round(f * width);
  return `${label} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%  ${counts}`;
}

/** `import <file.ndjson|file.ndjson.gz|-> [--events-per-file N]`. */
export function registerImportCommand(program: Command, e: CliEnvironment): void {
  program
    .command('import')
    .description('import raw events from NDJSON (one event per line; gzip detected), all validated before any is stored')
    .argument('<file>', 'an .ndjson or .ndjson.gz file, or - for standard input')
    .option('--events-per-file <n>', `events per stored file (1–${MAX_EVENTS_PER_FILE})`, String(DEFAULT_EVENTS_PER_FILE))
    .action(async (file: string, opts: { eventsPerFile: string }) => {
      const eventsPerFile = parseEventsPerFile(opts.eventsPerFile);
      const tty = (e.stderr as { isTTY?: boolean }).isTTY === true;
      let drawn = false;
      const onProgress = tty
        ? (p: ImportProgress) => {
            e.stderr.write(`\r\x1b[2K${progressLine(p)}`);
            drawn = true;
          }
        : undefined;
      const clear = () => {
        if (drawn) e.stderr.write('\r\x1b[2K');
        drawn = false;
      };
      if (file === '-' && (e.stdin as { isTTY?: boolean }).isTTY === true) e.stderr.write('Reading NDJSON from standard input (end with Ctrl-D)…\n');
      await withHost(e, async (host) => {
        try {
          const summary = await importNdjson(host.store, file === '-' ? { stream: e.stdin, name: 'standard input' } : { path: path.resolve(e.cwd, file) }, {
            eventsPerFile,
            maxEventBytes: host.config.ingest.max_body_bytes,
            spoolDir: host.config.data_dir,
            onProgress,
            hooks: host.hooks,
            log: host.log,
          });
          clear();
          if (summary.events === 0) e.stderr.write(`Warning: no events found in ${file === '-' ? 'standard input' : file}.\n`);
          print(
            e.stdout,
            `Success: imported ${summary.accepted} events in ${summary.files} file${summary.files === 1 ? '' : 's'} (${summary.duplicates} duplicate${summary.duplicates === 1 ? '' : 's'}) in ${summary.seconds.toFixed(1)}s`,
          );
        } catch (err) {
          clear();
          if (err instanceof ImportError) throw new CliError(err.message);
          throw err;
        }
      });
    });
}
