import type { Hooks } from '../hooks';
import { loadServerSecret } from './auth/secret';
import type { AnalyticsConfig } from './config';
import type { Logger } from './log';
import { loadPlugins, type PluginLoadReport } from './plugins/loader';
import { openStore, type Store } from './store/store';

/**
 * Everything the HTTP layer, the scheduler and the CLI share: config, the hook registry
 * (with plugins registered), the migrated store, the server key and the log.
 */
export interface Host {
  readonly config: AnalyticsConfig;
  readonly hooks: Hooks;
  readonly store: Store;
  readonly secret: Buffer;
  readonly log: Logger;
  readonly plugins: PluginLoadReport;
  close(): Promise<void>;
}

export interface HostOptions {
  config: AnalyticsConfig;
  hooks: Hooks;
  log: Logger;
  /** Load the configured plugins (default true). */
  loadPlugins?: boolean;
}

export async function createHost(options: HostOptions): Promise<Host> {
  const { config, hooks, log } = options;
  const secret = loadServerSecret(config.secret, config.data_dir);
  const store = await openStore({ databaseUrl: config.database_url, dataDir: config.data_dir, log: (m) => log.warn(m) });
  let plugins: PluginLoadReport = { loaded: [], failed: [], skipped: [] };
  try {
    if (options.loadPlugins !== false) plugins = await loadPlugins(hooks, config, log);
  } catch (err) {
    await store.close();
    throw err;
  }
  let closed = false;
  return {
    config,
    hooks,
    store,
    secret,
    log,
    plugins,
    close: async () => {
      if (closed) return;
      closed = true;
      await store.close();
    },
  };
}
