import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config';
import { registerExportCommands } from './commands/export';
import { registerImportCommand } from './commands/import';
import { registerMigrateCommand } from './commands/migrate';
import { registerServeCommand, type ServeStarter } from './commands/serve';
import { registerUserCommands } from './commands/user';
import type { CliEnvironment } from './context';
import { CliError, UsageError } from './errors';

export function buildProgram(e: CliEnvironment, serve: ServeStarter): Command {
  const program = new Command('analytics-host')
    .description('WordPress-style analytics export host: streamed day pulls, scheduled NDJSON export, plugins')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => e.stdout.write(s), writeErr: (s) => e.stderr.write(s) });
  registerServeCommand(program, e, serve);
  registerMigrateCommand(program, e);
  registerUserCommands(program, e);
  registerImportCommand(program, e);
  registerExportCommands(program, e);
  // Subcommands inherit the output and exit handling.
  for (const c of program.commands) applyRecursively(c, e);
  return program;
}

function applyRecursively(c: Command, e: CliEnvironment): void {
  c.exitOverride().configureOutput({ writeOut: (s) => e.stdout.write(s), writeErr: (s) => e.stderr.write(s) });
  for (const sub of c.commands) applyRecursively(sub, e);
}

function oneLine(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.split('\n')[0];
}

/** Runs the CLI; resolves to the exit status (0 ok, 1 error, 2 usage). */
export async function runCli(argv: readonly string[], e: CliEnvironment, serve: ServeStarter): Promise<number> {
  const program = buildProgram(e, serve);
  try {
    if (argv.length === 0) {
      e.stderr.write(program.helpInformation());
      return 2;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      // commander already wrote "error: …"; add the usage of the command concerned.
      e.stderr.write(program.helpInformation());
      return 2;
    }
    if (err instanceof UsageError) {
      e.stderr.write(`Error: ${err.message}\n${program.helpInformation()}`);
      return 2;
    }
    if (err instanceof CliError || err instanceof ConfigError) {
      e.stderr.write(`Error: ${oneLine(err)}\n`);
      return 1;
    }
    e.stderr.write(`Error: ${oneLine(err)}\n`);
    return 1;
  }
}
