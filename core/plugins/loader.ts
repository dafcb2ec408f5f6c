import fs from 'node:fs';
import path from 'node:path';
import type { Hooks } from '../../hooks';
import type { AnalyticsConfig } from '../config';
import type { Logger } from '../log';
import type { Plugin, PluginRegister } from './types';

/** Where bundled plugins live: plugins/<name>/ beside core/ (in the source tree and in dist/). */
export const BUNDLED_PLUGINS_DIR = path.resolve(__dirname, '..', '..', 'plugins');

export interface LoadedPlugin {
  name: string;
  source: string;
}

export interface FailedPlugin {
  name: string;
  source: string;
  reason: string;
}

export interface PluginLoadReport {
  loaded: LoadedPlugin[];
  failed: FailedPlugin[];
  skipped: { name: string; reason: string }[];
}

interface PluginSpec {
  name: string;
  /** What to require(): an absolute path or a package name. */
  request: string;
  source: string;
}

export function bundledPluginNames(dir = BUNDLED_PLUGINS_DIR): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && ['index.js', 'index.ts'].some((f) => fs.existsSync(path.join(dir, d.name, f))))
    .map((d) => d.name)
    .sort();
}

function specFor(entry: string, config: AnalyticsConfig, bundled: readonly string[]): PluginSpec {
  if (bundled.includes(entry)) return { name: entry, request: path.join(BUNDLED_PLUGINS_DIR, entry), source: `bundled plugins/${entry}` };
  if (entry.startsWith('.') || path.isAbsolute(entry)) {
    const file = path.resolve(config.config_dir, entry);
    return { name: path.basename(file).replace(/\.(c?js|ts)$/, ''), request: file, source: file };
  }
  return { name: entry, request: entry, source: `package ${entry}` };
}

/**
 * The plugins to load, in order: bundled ones switched on by `integrations.<name>.enabled`,
 * then the entries of `plugins` (bundled names, paths relative to the config file, or npm
 * package names). A bundled plugin whose integration says `enabled: false` is skipped.
 */
export function pluginPlan(config: AnalyticsConfig, bundled = bundledPluginNames()): { specs: PluginSpec[]; skipped: { name: string; reason: string }[] } {
  const specs: PluginSpec[] = [];
  const skipped: { name: string; reason: string }[] = [];
  const seen = new Set<string>();
  const add = (entry: string) => {
    const spec = specFor(entry, config, bundled);
    if (seen.has(spec.request)) return;
    seen.add(spec.request);
    if (bundled.includes(entry) && config.integrations[entry]?.enabled === false) {
      skipped.push({ name: entry, reason: `integrations.${entry}.enabled is false` });
      return;
    }
    specs.push(spec);
  };
  for (const name of bundled) if (config.integrations[name]?.enabled === true) add(name);
  for (const entry of config.plugins) add(entry);
  return { specs, skipped };
}

/** A module that registered on the global functions while loading and exports nothing (WordPress style). */
const registeredAtLoad: PluginRegister = () => undefined;

function registerOf(mod: unknown): { register: PluginRegister; name?: string } | null {
  if (typeof mod === 'object' && mod !== null && Object.keys(mod).length === 0) return { register: registeredAtLoad };
  const candidate = (mod as { default?: unknown } | null)?.default ?? mod;
  if (typeof candidate === 'function') return { register: candidate as PluginRegister };
  const obj = candidate as Extract<Plugin, { register: unknown }> | null;
  if (obj && typeof obj === 'object' && typeof obj.register === 'function') {
    return { register: obj.register.bind(obj), name: typeof obj.name === 'string' ? obj.name : undefined };
  }
  return null;
}

/**
 * Loads and registers every plugin of the config, awaiting each register(). A plugin that
 * fails to load or register is reported with its name and reason and skipped; the host runs on.
 */
export async function loadPlugins(hooks: Hooks, config: AnalyticsConfig, log: Logger, bundled = bundledPluginNames()): Promise<PluginLoadReport> {
  const { specs, skipped } = pluginPlan(config, bundled);
  const report: PluginLoadReport = { loaded: [], failed: [], skipped };
  for (const s of skipped) log.info(`Plugin ${s.name} skipped: ${s.reason}`);
  for (const spec of specs) {
    let name = spec.name;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const plugin = registerOf(require(spec.request));
      if (!plugin) throw new Error('its module exports neither a register function nor { name, register }');
      name = plugin.name ?? name;
      const section = config.integrations[name] ?? config.integrations[spec.name] ?? {};
      await plugin.register(hooks, { name, config: section, log: log.child(name), site_id: config.site_id, data_dir: config.data_dir });
      report.loaded.push({ name, source: spec.source });
      log.info(`Plugin ${name} loaded (${spec.source})`);
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      report.failed.push({ name, source: spec.source, reason });
      log.error(`Plugin ${name} failed to load and was skipped: ${reason}`);
    }
  }
  return report;
}
