import type { Command } from 'commander';
import { runExport } from '../../../cron/export-run';
import { exportEnabled, PROCESS_HOOK } from '../../../cron/settings';
import { exportStatus, type ExportStatus } from '../../../cron/status';
import { atDebugLevel } from '../../log';
import { formatTable, print, withHost, type CliEnvironment } from '../context';
import { CliError, UsageError } from '../errors';

function statusRows(s: ExportStatus): [string, unknown][] {
  const last = s.last_run;
  return [
    ['enabled', s.enabled],
    ['active', s.active],
    ['frequency', s.frequency],
    ['interval', `${s.interval} s`],
    ['subscribers', s.subscribers],
    ['pending_files', s.pending_files],
    ['pending_events', s.pending_events],
    [
      'last_run',
      last
        ? `${last.time} ${last.result}: ${last.events} events, ${last.files} files, ${last.batches} batches${last.message ? ` (${last.message})` : ''}`
        : 'never',
    ],
    ['next_run', s.next_run ?? (s.enabled ? (s.active ? 'when the server starts' : 'inactive: no subscriber') : 'disabled')],
  ];
}

/** `export run` and `export status`. */
export function registerExportCommands(program: Command, e: CliEnvironment): void {
  const exp = program.command('export').description('the scheduled NDJSON export to plugins (altis.analytics.export.data.process)');

  exp
    .command('run')
    .description('one run of the scheduled export now, through the same code as the scheduler; prints what it delivered')
    .action(async () => {
      await withHost(e, async (host) => {
        // The command prints the outcome (stdout, or one `Error:` line): the run's own log lines
        // would say it twice on stderr, so they go to the process log at debug level only.
        const outcome = await runExport(host, { trigger: 'manual', log: atDebugLevel(host.log) });
        if (outcome.status === 'inactive') {
          throw new CliError(`nothing can be delivered: no callback is subscribed to ${PROCESS_HOOK} (enable an integration or load a plugin that subscribes)`);
        }
        if (outcome.status === 'busy') {
          const h = outcome.holder;
          throw new CliError(`another export run is in progress${h ? ` (${h.owner}, lease until ${new Date(h.expiresAt).toISOString()})` : ''}; try again later`);
        }
        const r = outcome.run;
        const what = `${r.events} events from ${r.files} files in ${r.batches} batches`;
        if (r.result === 'error') throw new CliError(`the export run stopped after delivering ${what}: ${r.message}`);
        const left = await host.store.files.pendingTotals();
        const note = exportEnabled(host) ? '' : ' (the scheduled export is disabled; this run was manual)';
        print(e.stdout, `Success: Delivered ${what}; ${left.files} files (${left.events} events) still pending.${note}`);
      });
    });

  exp
    .command('status')
    .description('enabled, active, frequency, subscribers, pending files and events, last and next run')
    .option('--format <format>', 'table or json', 'table')
    .action(async (opts: { format: string }) => {
      if (opts.format !== 'table' && opts.format !== 'json') throw new UsageError(`--format must be table or json, not "${opts.format}"`);
      await withHost(e, async (host) => {
        const status = await exportStatus(host);
        if (opts.format === 'json') print(e.stdout, JSON.stringify(status));
        else print(e.stdout, formatTable(['Field', 'Value'], statusRows(status)));
      });
    });
}
