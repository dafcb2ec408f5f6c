import { spawn } from 'node:child_process';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { createHooks, type Hooks } from '../../hooks';
import { runCli } from '../../core/cli/program';
import type { ServeStarter } from '../../core/cli/commands/serve';
import { startServer } from '../../core/cli/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in-process with its own streams and environment (DATABASE_URL/DATA_DIR of a test database). */
export async function runTestCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  options: { hooks?: Hooks; stdin?: string | Buffer; serve?: ServeStarter; cwd?: string } = {},
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli(
    argv,
    {
      hooks: options.hooks ?? createHooks(),
      env: { ANALYTICS_LOG_LEVEL: 'error', ...env },
      cwd: options.cwd ?? env.DATA_DIR ?? process.cwd(),
      stdout,
      stderr,
      stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    },
    options.serve ?? ((host) => startServer(host, 0)),
  );
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

const ROOT = path.join(__dirname, '..', '..');

/**
 * Runs the real CLI as its own `node` process — `core/cli/main.ts`, the TypeScript sources
 * loaded through test/cron/fixtures/register.js — so stdout and stderr are the process's
 * own, log lines included: what a terminal shows. The environment is this one without any
 * ANALYTICS_*, DATABASE_URL or DATA_DIR (the CLI's defaults apply), plus `env`.
 */
export function runCliProcess(argv: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ANALYTICS_') && k !== 'DATABASE_URL' && k !== 'DATA_DIR'));
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test', 'cron', 'fixtures', 'register.js'), path.join(ROOT, 'core', 'cli', 'main.ts'), ...argv], {
    cwd: env.DATA_DIR ?? ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr }));
  });
}
