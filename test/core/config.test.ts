import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../core/config';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ah-config-'));
}

describe('configuration', () => {
  test('defaults without a file: SPEC values', () => {
    const dir = tempDir();
    const c = loadConfig({}, dir);
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.data_dir).toBe(path.join(dir, 'data'));
    expect(c.export).toEqual({ cron: { enabled: true, frequency: 'ten_minutes' }, max_files: 100, batch_bytes: 8 * 1024 * 1024, csv_escape_formulas: false });
    expect(c.ingest.max_body_bytes).toBe(10 * 1024 * 1024);
    expect(c.auth).toEqual({ max_failures: 10, window_seconds: 60 });
    expect(c.site_id).toBe('1');
  });

  test('./analytics.config.json is read when present; plugin paths are relative to it', () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'analytics.config.json'),
      JSON.stringify({ export: { cron: { enabled: false, frequency: 'hourly' }, max_files: 7 }, plugins: ['segment'], integrations: { segment: { enabled: true, api_key: 'k' } } }),
    );
    const c = loadConfig({}, dir);
    expect(c.export.cron).toEqual({ enabled: false, frequency: 'hourly' });
    expect(c.export.max_files).toBe(7);
    expect(c.plugins).toEqual(['segment']);
    expect(c.integrations.segment).toEqual({ enabled: true, api_key: 'k' });
    expect(c.config_dir).toBe(dir);
  });

  test('ANALYTICS_CONFIG names the file; environment overrides win over it', () => {
    const dir = tempDir();
    const file = path.join(dir, 'conf', 'a.json');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, JSON.stringify({ export: { cron: { enabled: true, frequency: 'daily' }, max_files: 5 } }));
    const c = loadConfig(
      { ANALYTICS_CONFIG: file, ANALYTICS_EXPORT_CRON_ENABLED: 'false', ANALYTICS_EXPORT_CRON_FREQUENCY: 'hourly', ANALYTICS_EXPORT_MAX_FILES: '250', PORT: '9000' },
      dir,
    );
    expect(c.export.cron).toEqual({ enabled: false, frequency: 'hourly' });
    expect(c.export.max_files).toBe(250);
    expect(c.port).toBe(9000);
    expect(c.config_dir).toBe(path.dirname(file));
  });

  test.each([
    [{ export: { max_files: 0 } }, 'export.max_files'],
    [{ export: { max_files: '10' } }, 'export.max_files'],
    [{ export: { cron: { enabled: 'yes' } } }, 'export.cron.enabled'],
    [{ export: { cron: { frequncy: 'hourly' } } }, 'export.cron.frequncy'],
    [{ exports: {} }, 'exports'],
    [{ plugins: 'segment' }, 'plugins'],
    [{ integrations: { segment: true } }, 'integrations.segment'],
    [{ auth: { max_failures: -1 } }, 'auth.max_failures'],
    [[1, 2], '(root)'],
  ])('invalid file %j names the key %s', (raw, key) => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'analytics.config.json'), JSON.stringify(raw));
    let caught: unknown;
    try {
      loadConfig({}, dir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).key).toBe(key);
    expect((caught as Error).message).toContain(key);
  });

  test.each([
    ['ANALYTICS_EXPORT_CRON_ENABLED', 'maybe'],
    ['ANALYTICS_EXPORT_MAX_FILES', 'lots'],
    ['PORT', '70000'],
    ['ANALYTICS_SECRET', 'short'],
  ])('invalid environment %s=%s names the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value }, tempDir())).toThrow(name);
  });

  test('a config file that is not JSON is refused with the file named', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'analytics.config.json'), '{ nope');
    expect(() => loadConfig({}, dir)).toThrow(/analytics\.config\.json is not valid JSON/);
  });

  test('ANALYTICS_CONFIG naming a missing file is an error, not silently ignored', () => {
    expect(() => loadConfig({ ANALYTICS_CONFIG: '/nonexistent/x.json' }, tempDir())).toThrow(/ANALYTICS_CONFIG/);
  });
});
