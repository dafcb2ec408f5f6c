import type { Hooks } from '../../hooks';
import { loadConfig, type AnalyticsConfig } from '../config';
import { createHost, type Host } from '../host';
import { createLogger, type LogLevel, type Logger } from '../log';

/** What every command gets: the same config, registry and plugins as the server. */
export interface CliEnvironment {
  hooks: Hooks;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  logger?: Logger;
}

export function cliConfig(e: CliEnvironment): AnalyticsConfig {
  return loadConfig(e.env, e.cwd);
}

/** Opens the host (schema created or migrated, plugins loaded), runs fn, always closes it. */
export async function withHost<T>(e: CliEnvironment, fn: (host: Host) => Promise<T>, defaultLogLevel: LogLevel = 'warn'): Promise<T> {
  const config = cliConfig(e);
  const log = e.logger ?? createLogger({ level: (e.env.ANALYTICS_LOG_LEVEL as LogLevel | undefined) ?? defaultLogLevel });
  const host = await createHost({ config, hooks: e.hooks, log });
  try {
    return await fn(host);
  } finally {
    await host.close();
  }
}

export function print(stream: NodeJS.WritableStream, line: string): void {
  stream.write(line.endsWith('\n') ? line : line + '\n');
}

/** A plain table, wp-cli style: header row, then rows, columns padded. */
export function formatTable(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [columns.map(String), ...rows.map((r) => r.map((v) => (v === null || v === undefined ? '' : String(v))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** `--format json`: the rows as one JSON array of objects; `table`: a table of `columns`, in that order. */
export function printRows<K extends string>(stream: NodeJS.WritableStream, format: 'table' | 'json', columns: readonly K[], rows: readonly Record<K, unknown>[]): void {
  if (format === 'json') print(stream, JSON.stringify(rows));
  else print(stream, formatTable(columns, rows.map((r) => columns.map((c) => r[c]))));
}
