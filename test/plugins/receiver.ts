/**
 * Test support for the bundled plugins: a real HTTP server on 127.0.0.1 that records what it
 * receives and answers from a script, and a plugin context like the loader's.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHooks, E_USER_ERROR, E_USER_NOTICE, E_USER_WARNING, type Hooks, type PluginContext } from '../../index';
import { silentLogger } from '../../core/log';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The raw request bytes, as sent (not decompressed). */
  body: Buffer;
  /** Date.now() when the request arrived. */
  at: number;
}

/** How to answer one request: a status (and headers/body), or `hang` (never answer). */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface Receiver {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

/** Answers the n-th request with `replies[n]`, and 200 once the script runs out. */
export async function startReceiver(replies: Reply[] = []): Promise<Receiver> {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = replies[requests.length] ?? { status: 200, body: '{"success":true}' };
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL where nothing listens (connection refused). */
export async function deadUrl(): Promise<string> {
  const r = await startReceiver();
  await r.close();
  return r.url;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ah-plugin-'));
}

export function contextFor(name: string, config: Record<string, unknown>, dataDir = tempDir()): PluginContext {
  return { name, config, log: silentLogger, site_id: '1', data_dir: dataDir };
}

export interface ExportLog {
  messages: { message: string; level: number }[];
  notices(): string[];
  warnings(): string[];
  errors(): string[];
}

/** An isolated registry that records `altis.analytics.export.log`. */
export function hooksWithLog(): { hooks: Hooks; log: ExportLog } {
  const hooks = createHooks();
  const messages: { message: string; level: number }[] = [];
  hooks.add_action('altis.analytics.export.log', (message: string, level: number) => void messages.push({ message, level }), 10, 2);
  const at = (level: number) => () => messages.filter((m) => m.level === level).map((m) => m.message);
  return { hooks, log: { messages, notices: at(E_USER_NOTICE), warnings: at(E_USER_WARNING), errors: at(E_USER_ERROR) } };
}

/** NDJSON of the given events, one per line, as the export hands them over. */
export const ndjsonOf = (events: readonly Record<string, unknown>[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
