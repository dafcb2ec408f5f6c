import type { Hooks } from '../../hooks';
import type { IntegrationConfig } from '../config';
import type { Logger } from '../log';

/** What a plugin's register() receives besides the hook registry. */
export interface PluginContext {
  /** The plugin's name (its bundled folder, file stem or package name, or its own `name`). */
  name: string;
  /** Its own `integrations.<name>` section of the config ({} when absent). */
  config: IntegrationConfig;
  /** The process log, lines prefixed with the plugin's name. */
  log: Logger;
  /** The site this host serves and the directory it keeps data in. */
  site_id: string;
  data_dir: string;
}

export type PluginRegister = (hooks: Hooks, context: PluginContext) => void | Promise<void>;

/** A plugin module's default export: a register function, or an object naming itself. */
export type Plugin = PluginRegister | { name: string; register: PluginRegister };

/** Helps plugin authors get the types right: `export default definePlugin({ name, register })`. */
export function definePlugin<P extends Plugin>(plugin: P): P {
  return plugin;
}
