import type { Command } from 'commander';
import { openStore } from '../../store/store';
import { cliConfig, print, type CliEnvironment } from '../context';

export function registerMigrateCommand(program: Command, e: CliEnvironment): void {
  program
    .command('migrate')
    .description('create or update the database schema')
    .action(async () => {
      const config = cliConfig(e);
      const store = await openStore({ databaseUrl: config.database_url, dataDir: config.data_dir });
      try {
        const report = await store.migrate();
        print(e.stdout, `Success: schema is at version ${report.current}.`);
      } finally {
        await store.close();
      }
    });
}
