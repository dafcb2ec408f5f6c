import fs from 'node:fs';
import path from 'node:path';

/** Per-integration settings, handed to the plugin of that name as `context.config`. */
export type IntegrationConfig = { enabled?: boolean } & Record<string, unknown>;

export interface AnalyticsConfig {
  /** The one site this host serves (attributes.blogId as a string). */
  site_id: string;
  port: number;
  host: string;
  data_dir: string;
  /** mysql://… selects MySQL/MariaDB; absent: the embedded SQLite file under data_dir. */
  database_url?: string;
  /** Key for password hashes and cursor signatures; absent: a random one kept in data_dir. */
  secret?: string;
  /** Express `trust proxy` value: addresses/subnets (or names like "loopback") of proxies whose X-Forwarded-* are believed. */
  trust_proxy: string[];
  export: {
    cron: { enabled: boolean; frequency: string };
    max_files: number;
    batch_bytes: number;
    csv_escape_formulas: boolean;
  };
  ingest: { max_body_bytes: number };
  auth: { max_failures: number; window_seconds: number };
  plugins: string[];
  integrations: Record<string, IntegrationConfig>;
  /** Directory that plugin paths are relative to (the config file's, else the working directory). */
  config_dir: string;
  /** The file the config was read from, if any. */
  config_file?: string;
}

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`Invalid configuration: ${key} ${message}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_CONFIG_FILE = 'analytics.config.json';

export function defaultConfig(cwd = process.cwd()): AnalyticsConfig {
  return {
    site_id: '1',
    port: 8080,
    host: '127.0.0.1',
    data_dir: path.resolve(cwd, 'data'),
    trust_proxy: [],
    export: { cron: { enabled: true, frequency: 'ten_minutes' }, max_files: 100, batch_bytes: 8 * 1024 * 1024, csv_escape_formulas: false },
    ingest: { max_body_bytes: 10 * 1024 * 1024 },
    auth: { max_failures: 10, window_seconds: 60 },
    plugins: [],
    integrations: {},
    config_dir: cwd,
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function expectKeys(obj: Obj, allowed: readonly string[], prefix: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new ConfigError(prefix + k, `is not a known setting (known: ${allowed.join(', ')})`);
  }
}

function bool(v: unknown, key: string): boolean {
  if (typeof v === 'boolean') return v;
  throw new ConfigError(key, 'must be true or false');
}

function int(v: unknown, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  throw new ConfigError(key, `must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}`);
}

function str(v: unknown, key: string): string {
  if (typeof v === 'string' && v.length > 0) return v;
  throw new ConfigError(key, 'must be a non-empty string');
}

/** Merges a parsed config file into the defaults, naming the first bad key. */
export function applyConfigFile(config: AnalyticsConfig, raw: unknown): AnalyticsConfig {
  if (!isObj(raw)) throw new ConfigError('(root)', 'must be a JSON object');
  expectKeys(raw, ['site_id', 'port', 'host', 'data_dir', 'database_url', 'secret', 'trust_proxy', 'export', 'ingest', 'auth', 'plugins', 'integrations'], '');
  const c = structuredClone(config);
  if (raw.site_id !== undefined) c.site_id = typeof raw.site_id === 'number' ? String(raw.site_id) : str(raw.site_id, 'site_id');
  if (raw.port !== undefined) c.port = int(raw.port, 'port', 0, 65535);
  if (raw.host !== undefined) c.host = str(raw.host, 'host');
  if (raw.data_dir !== undefined) c.data_dir = path.resolve(c.config_dir, str(raw.data_dir, 'data_dir'));
  if (raw.database_url !== undefined) c.database_url = str(raw.database_url, 'database_url');
  if (raw.secret !== undefined) {
    c.secret = str(raw.secret, 'secret');
    if (c.secret.length < 32) throw new ConfigError('secret', 'must be at least 32 characters');
  }
  if (raw.trust_proxy !== undefined) {
    const t = raw.trust_proxy;
    if (typeof t === 'string') c.trust_proxy = [t];
    else if (Array.isArray(t) && t.every((x) => typeof x === 'string' && x.length > 0)) c.trust_proxy = t as string[];
    else throw new ConfigError('trust_proxy', 'must be a string or an array of strings (proxy addresses or subnets)');
  }
  if (raw.export !== undefined) {
    if (!isObj(raw.export)) throw new ConfigError('export', 'must be an object');
    const e = raw.export;
    expectKeys(e, ['cron', 'max_files', 'batch_bytes', 'csv_escape_formulas'], 'export.');
    if (e.cron !== undefined) {
      if (!isObj(e.cron)) throw new ConfigError('export.cron', 'must be an object');
      expectKeys(e.cron, ['enabled', 'frequency'], 'export.cron.');
      if (e.cron.enabled !== undefined) c.export.cron.enabled = bool(e.cron.enabled, 'export.cron.enabled');
      if (e.cron.frequency !== undefined) c.export.cron.frequency = str(e.cron.frequency, 'export.cron.frequency');
    }
    if (e.max_files !== undefined) c.export.max_files = int(e.max_files, 'export.max_files', 1);
    if (e.batch_bytes !== undefined) c.export.batch_bytes = int(e.batch_bytes, 'export.batch_bytes', 1024);
    if (e.csv_escape_formulas !== undefined) c.export.csv_escape_formulas = bool(e.csv_escape_formulas, 'export.csv_escape_formulas');
  }
  if (raw.ingest !== undefined) {
    if (!isObj(raw.ingest)) throw new ConfigError('ingest', 'must be an object');
    expectKeys(raw.ingest, ['max_body_bytes'], 'ingest.');
    if (raw.ingest.max_body_bytes !== undefined) c.ingest.max_body_bytes = int(raw.ingest.max_body_bytes, 'ingest.max_body_bytes', 1);
  }
  if (raw.auth !== undefined) {
    if (!isObj(raw.auth)) throw new ConfigError('auth', 'must be an object');
    expectKeys(raw.auth, ['max_failures', 'window_seconds'], 'auth.');
    if (raw.auth.max_failures !== undefined) c.auth.max_failures = int(raw.auth.max_failures, 'auth.max_failures', 1);
    if (raw.auth.window_seconds !== undefined) c.auth.window_seconds = int(raw.auth.window_seconds, 'auth.window_seconds', 1);
  }
  if (raw.plugins !== undefined) {
    if (!Array.isArray(raw.plugins)) throw new ConfigError('plugins', 'must be an array of plugin names or paths');
    c.plugins = raw.plugins.map((p, i) => str(p, `plugins[${i}]`));
  }
  if (raw.integrations !== undefined) {
    if (!isObj(raw.integrations)) throw new ConfigError('integrations', 'must be an object keyed by integration name');
    for (const [name, section] of Object.entries(raw.integrations)) {
      if (!isObj(section)) throw new ConfigError(`integrations.${name}`, 'must be an object');
      if (section.enabled !== undefined) bool(section.enabled, `integrations.${name}.enabled`);
      c.integrations[name] = section as IntegrationConfig;
    }
  }
  return c;
}

function envBool(v: string, key: string): boolean {
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new ConfigError(key, 'must be true or false (1/0, yes/no, on/off)');
}

function envInt(v: string, key: string, min: number, max?: number): number {
  if (!/^\d+$/.test(v.trim())) throw new ConfigError(key, `must be an integer from ${min}`);
  return int(Number(v), key, min, max);
}

/** Environment overrides, for ops: they win over the file. */
export function applyEnvironment(config: AnalyticsConfig, env: NodeJS.ProcessEnv): AnalyticsConfig {
  const c = structuredClone(config);
  const get = (k: string) => (env[k] !== undefined && env[k] !== '' ? env[k] : undefined);
  let v: string | undefined;
  if ((v = get('PORT'))) c.port = envInt(v, 'PORT', 0, 65535);
  if ((v = get('HOST'))) c.host = v;
  if ((v = get('DATA_DIR'))) c.data_dir = path.resolve(v);
  if ((v = get('DATABASE_URL'))) c.database_url = v;
  if ((v = get('ANALYTICS_SECRET'))) {
    if (v.length < 32) throw new ConfigError('ANALYTICS_SECRET', 'must be at least 32 characters');
    c.secret = v;
  }
  if ((v = get('ANALYTICS_SITE_ID'))) c.site_id = v;
  if ((v = get('ANALYTICS_EXPORT_CRON_ENABLED'))) c.export.cron.enabled = envBool(v, 'ANALYTICS_EXPORT_CRON_ENABLED');
  if ((v = get('ANALYTICS_EXPORT_CRON_FREQUENCY'))) c.export.cron.frequency = v;
  if ((v = get('ANALYTICS_EXPORT_MAX_FILES'))) c.export.max_files = envInt(v, 'ANALYTICS_EXPORT_MAX_FILES', 1);
  return c;
}

/**
 * The configuration every command and the server use: defaults, then the JSON file at
 * ANALYTICS_CONFIG (or ./analytics.config.json if present), then environment overrides.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AnalyticsConfig {
  let config = defaultConfig(cwd);
  const explicit = env.ANALYTICS_CONFIG;
  const file = explicit ? path.resolve(cwd, explicit) : path.resolve(cwd, DEFAULT_CONFIG_FILE);
  if (explicit || fs.existsSync(file)) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError('ANALYTICS_CONFIG', `names a file that cannot be read: ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError('(file)', `${file} is not valid JSON: ${(err as Error).message}`);
    }
    config.config_dir = path.dirname(file);
    config.config_file = file;
    config = applyConfigFile(config, raw);
  }
  return applyEnvironment(config, env);
}
