import type { Command } from 'commander';
import type { CliEnvironment } from '../context';

/** `user create|list|delete` and `user application-password create|list|delete`. */
export function registerUserCommands(program: Command, e: CliEnvironment): void {
  void program;
  void e;
}
