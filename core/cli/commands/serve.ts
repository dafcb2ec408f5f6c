import type { Command } from 'commander';
import type { Host } from '../../host';
import { withHost, print, type CliEnvironment } from '../context';

export interface ServeHandle {
  url: string;
  stop(): Promise<void>;
}

/** The serve command is given its starter by the entry module, which alone wires rest/ and cron/. */
export type ServeStarter = (host: Host) => Promise<ServeHandle>;

export function registerServeCommand(program: Command, e: CliEnvironment, start: ServeStarter): void {
  program
    .command('serve')
    .description('run the HTTP server and the scheduled export (what npm start runs)')
    .action(async () => {
      await withHost(e, async (host) => {
        const handle = await start(host);
        host.log.info(`analytics-host listening on ${handle.url} (${host.store.db.dialect} store)`);
        print(e.stdout, `analytics-host listening on ${handle.url}`);
        await new Promise<void>((resolve) => {
          const shutdown = (signal: string) => {
            host.log.info(`${signal} received: stopping`);
            process.off('SIGINT', onInt);
            process.off('SIGTERM', onTerm);
            handle.stop().then(resolve, resolve);
          };
          const onInt = () => shutdown('SIGINT');
          const onTerm = () => shutdown('SIGTERM');
          process.on('SIGINT', onInt);
          process.on('SIGTERM', onTerm);
        });
      }, 'info');
    });
}
