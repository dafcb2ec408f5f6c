#!/usr/bin/env node
/**
 * The entry module: the one place where the HTTP layer and the scheduler are wired
 * together around a host. Everything else in core/ knows neither.
 */
import { defaultHooks } from '../../hooks';
import { startScheduler } from '../../cron/scheduler';
import { listen } from '../../rest/server';
import type { Host } from '../host';
import { runCli } from './program';
import type { ServeHandle } from './commands/serve';

export async function startServer(host: Host, port?: number): Promise<ServeHandle> {
  const server = await listen(host, port);
  const scheduler = await startScheduler(host);
  return {
    url: server.url,
    stop: async () => {
      await scheduler.stop();
      await server.close();
    },
  };
}

if (require.main === module) {
  runCli(process.argv.slice(2), { hooks: defaultHooks, env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }, (host) =>
    startServer(host),
  ).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
