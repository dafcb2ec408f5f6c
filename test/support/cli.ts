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
