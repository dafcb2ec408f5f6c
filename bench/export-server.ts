/**
 * The real REST server alone in its own process, for bench/export: its RSS is then the
 * server's and nothing else's. Config from the environment as `npm start` reads it
 * (DATABASE_URL, DATA_DIR, ANALYTICS_SECRET, …), no plugins, no scheduler.
 *
 * Protocol on stdio: prints `port <n>` once listening; answers a line `rss` on stdin with
 * `rss <peak RSS in KiB> cpu <user+system ms so far>`; on stdin end or SIGTERM prints that
 * line once more and exits.
 */
import readline from 'node:readline';
import { loadConfig } from '../core/config';
import { createHost } from '../core/host';
import { createLogger } from '../core/log';
import { createHooks } from '../hooks';
import { listen } from '../rest/server';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const host = await createHost({ config, hooks: createHooks(), log: createLogger({ level: 'warn' }), loadPlugins: false });
  const server = await listen(host, 0, '127.0.0.1');
  const port = new URL(server.url).port;
  process.stdout.write(`port ${port}\n`);
  const peak = () => {
    const u = process.resourceUsage();
    return `rss ${u.maxRSS} cpu ${Math.round((u.userCPUTime + u.systemCPUTime) / 1000)}\n`;
  };
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    process.stdout.write(peak());
    await server.close();
    await host.close();
    process.exit(0);
  };
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === 'rss') process.stdout.write(peak());
  });
  lines.on('close', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((err) => {
  process.stderr.write(`export-server: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
