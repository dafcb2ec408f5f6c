import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHooks } from '../../hooks';
import { defaultConfig } from '../../core/config';
import { createLogger } from '../../core/log';
import { loadPlugins, pluginPlan } from '../../core/plugins/loader';

const fixtures = path.join(__dirname, 'fixtures');

function configWith(plugins: string[], integrations: Record<string, Record<string, unknown>> = {}) {
  const c = defaultConfig(fixtures);
  c.config_dir = fixtures;
  c.data_dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ah-plugins-'));
  c.plugins = plugins;
  c.integrations = integrations;
  return c;
}

function capturingLog() {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: 'debug', write: (l) => lines.push(l) }) };
}

describe('plugin loading', () => {
  test('a plain CommonJS file by path registers with its own integrations section', async () => {
    const hooks = createHooks();
    const { log } = capturingLog();
    const report = await loadPlugins(hooks, configWith(['./commonjs-plugin.js'], { 'acme-bi': { max_files: 7 } }), log, []);
    expect(report.loaded.map((p) => p.name)).toEqual(['acme-bi']);
    expect(hooks.apply_filters('altis.analytics.export.max.files', 100)).toBe(7);
  });

  test('a register function default export is awaited before loading goes on', async () => {
    const hooks = createHooks();
    const report = await loadPlugins(hooks, configWith(['./function-plugin.js']), capturingLog().log, []);
    expect(report.loaded).toHaveLength(1);
    const payload = { calls: [] as string[] };
    hooks.do_action('fixture.ping', payload);
    expect(payload.calls).toEqual(['function-plugin']);
  });

  test('a module that registers on the global functions at load time and exports nothing counts as loaded', async () => {
    const { defaultHooks } = await import('../../hooks');
    const report = await loadPlugins(defaultHooks, configWith(['./global-style-plugin.js']), capturingLog().log, []);
    expect(report.loaded.map((p) => p.name)).toEqual(['global-style-plugin']);
    expect(defaultHooks.apply_filters('fixture.global_style', 'base')).toBe('base + global-style');
    defaultHooks.remove_all_filters('fixture.global_style');
  });

  test('plugins that fail to load are reported by name and reason and skipped; the others load', async () => {
    const hooks = createHooks();
    const { lines, log } = capturingLog();
    const report = await loadPlugins(
      hooks,
      configWith(['./throwing-plugin.js', './bad-shape-plugin.js', 'no-such-package-xyz', './commonjs-plugin.js']),
      log,
      [],
    );
    expect(report.failed.map((f) => f.name)).toEqual(['throwing-plugin', 'bad-shape-plugin', 'no-such-package-xyz']);
    expect(report.failed[0].reason).toBe('this plugin is broken on purpose');
    expect(report.failed[1].reason).toMatch(/neither a register function/);
    expect(report.failed[2].reason).toMatch(/Cannot find module/);
    expect(report.loaded.map((p) => p.name)).toEqual(['acme-bi']);
    expect(lines.some((l) => l.includes('ERROR') && l.includes('throwing-plugin') && l.includes('broken on purpose'))).toBe(true);
  });

  test('bundled plugins: on by integrations.<name>.enabled, or by name in plugins; enabled:false skips', () => {
    const bundled = ['archive', 'segment', 'webhook'];
    const plan = pluginPlan(configWith(['webhook', './commonjs-plugin.js', 'segment'], { segment: { enabled: true }, webhook: { enabled: false } }), bundled);
    expect(plan.specs.map((s) => s.name)).toEqual(['segment', 'commonjs-plugin']);
    expect(plan.skipped).toEqual([{ name: 'webhook', reason: 'integrations.webhook.enabled is false' }]);
  });

  test('the bundled log-file plugin writes export log messages at or above its level', async () => {
    const hooks = createHooks();
    const config = configWith(['log-file'], { 'log-file': { path: 'export.log', min_level: 'warning' } });
    const report = await loadPlugins(hooks, config, capturingLog().log);
    expect(report.loaded.map((p) => p.name)).toEqual(['log-file']);
    hooks.do_action('altis.analytics.export.log', 'just progress', 1024);
    hooks.do_action('altis.analytics.export.log', 'no files pending', 512);
    hooks.do_action('altis.analytics.export.log', 'delivery failed', 256);
    const lines = fs.readFileSync(path.join(config.data_dir, 'export.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['warning', 'no files pending'],
      ['error', 'delivery failed'],
    ]);
  });
});
