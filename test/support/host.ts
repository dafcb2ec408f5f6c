import { createHooks, type Hooks } from '../../hooks';
import { defaultConfig, type AnalyticsConfig } from '../../core/config';
import { createHost, type Host } from '../../core/host';
import { silentLogger, type Logger } from '../../core/log';
import { generateApplicationPassword, hashApplicationPassword } from '../../core/auth/passwords';
import type { Role } from '../../core/store/users';
import { listen, type RunningServer } from '../../rest/server';
import { createTestDatabase, type BackendName, type TestDatabase } from './backends';

export interface TestHost {
  host: Host;
  hooks: Hooks;
  db: TestDatabase;
  config: AnalyticsConfig;
  cleanup(): Promise<void>;
}

/** A host on a fresh database of the backend, with an isolated hook registry and no plugins. */
export async function createTestHost(
  backend: BackendName,
  configure: (c: AnalyticsConfig) => void = () => undefined,
  options: { hooks?: Hooks; log?: Logger } = {},
): Promise<TestHost> {
  const db = await createTestDatabase(backend);
  const config = defaultConfig(db.dataDir);
  config.data_dir = db.dataDir;
  config.database_url = db.location.databaseUrl;
  configure(config);
  const hooks = options.hooks ?? createHooks();
  const host = await createHost({ config, hooks, log: options.log ?? silentLogger, loadPlugins: false });
  return {
    host,
    hooks,
    db,
    config,
    cleanup: async () => {
      await host.close();
      await db.drop();
    },
  };
}

/** A host plus a real listening HTTP server on an ephemeral loopback port. */
export async function startTestServer(
  backend: BackendName,
  configure?: (c: AnalyticsConfig) => void,
  options?: { hooks?: Hooks; log?: Logger },
): Promise<TestHost & { server: RunningServer; url: string }> {
  const t = await createTestHost(backend, configure, options);
  const server = await listen(t.host, 0, '127.0.0.1');
  return {
    ...t,
    server,
    url: server.url,
    cleanup: async () => {
      await server.close();
      await t.cleanup();
    },
  };
}

/** Creates a user with an application password; returns the Basic header value. */
export async function createUserWithPassword(host: Host, login: string, role: Role = 'administrator'): Promise<{ password: string; authorization: string }> {
  const user = await host.store.users.create(login, `${login}@example.com`, role);
  const password = generateApplicationPassword();
  await host.store.passwords.create(user.id, 'test', hashApplicationPassword(host.secret, password));
  return { password, authorization: 'Basic ' + Buffer.from(`${login}:${password}`).toString('base64') };
}
