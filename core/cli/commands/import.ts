import type { Command } from 'commander';
import type { CliEnvironment } from '../context';

/** `import <file.ndjson|file.ndjson.gz|-> [--events-per-file N]`. */
export function registerImportCommand(program: Command, e: CliEnvironment): void {
  void program;
  void e;
}
