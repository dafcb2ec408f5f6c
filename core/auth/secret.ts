import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const SECRET_FILE_NAME = 'secret.key';

/**
 * The server key for password hashes and cursor signatures: config `secret` /
 * ANALYTICS_SECRET when set (several instances must share it), else a random key created
 * once in the data directory with owner-only permissions.
 */
export function loadServerSecret(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  const file = path.join(dataDir, SECRET_FILE_NAME);
  try {
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  try {
    // 'wx': if another process created it first, use theirs.
    fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
    return Buffer.from(key, 'hex');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  }
}
