/**
 * log-file: appends every message of `altis.analytics.export.log` at or above a level to
 * a file, one JSON object per line — the smallest useful plugin, written only against the
 * public API, as a third-party plugin would be.
 *
 * Config: "integrations": { "log-file": { "enabled": true, "path": "./data/export.log", "min_level": "warning" } }
 */
import fs from 'node:fs';
import path from 'node:path';
import { E_USER_ERROR, E_USER_NOTICE, E_USER_WARNING, definePlugin } from '../../index';

const LEVELS: Record<string, number> = { notice: E_USER_NOTICE, warning: E_USER_WARNING, error: E_USER_ERROR };
const NAMES = new Map<number, string>([
  [E_USER_NOTICE, 'notice'],
  [E_USER_WARNING, 'warning'],
  [E_USER_ERROR, 'error'],
]);

export default definePlugin({
  name: 'log-file',
  register(hooks, context) {
    const file = path.resolve(context.data_dir, String(context.config.path ?? 'export.log'));
    const minLevelName = String(context.config.min_level ?? 'notice');
    const minLevel = LEVELS[minLevelName];
    if (minLevel === undefined) throw new Error(`integrations.log-file.min_level must be one of ${Object.keys(LEVELS).join(', ')}`);
    fs.mkdirSync(path.dirname(file), { recursive: true });

    // PHP error levels are not ordered by severity (E_USER_ERROR is the smallest number).
    const severity = (level: number) => (level === E_USER_ERROR ? 3 : level === E_USER_WARNING ? 2 : 1);
    hooks.add_action(
      'altis.analytics.export.log',
      (message: string, level: number) => {
        if (severity(level) < severity(minLevel)) return;
        const line = JSON.stringify({ time: new Date().toISOString(), level: NAMES.get(level) ?? String(level), message });
        fs.appendFileSync(file, line + '\n');
      },
      10,
      2,
    );
    context.log.info(`writing export log messages (${minLevelName} and above) to ${file}`);
  },
});
