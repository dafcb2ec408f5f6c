import type { Command } from 'commander';
import type { CliEnvironment } from '../context';

/** `export run` and `export status`. */
export function registerExportCommands(program: Command, e: CliEnvironment): void {
  void program;
  void e;
}
