import type { Store } from '../store/store';
import type { User } from '../store/users';
import { hashApplicationPassword, hashesMatch } from './passwords';

const DAY_MS = 86_400_000;

export interface AuthenticatedUser {
  user: User;
  passwordUuid: string;
}

/**
 * Checks a login and application password. Every stored hash of the user is compared
 * (constant time each), so timing does not tell which one matched. last_used / last_ip
 * are written at most once a day per password, as WordPress does, to spare writes.
 */
export async function authenticateApplicationPassword(
  store: Store,
  secret: Buffer,
  login: string,
  password: string,
  ip: string | null,
  now = Date.now(),
): Promise<AuthenticatedUser | null> {
  const user = await store.users.byLogin(login);
  const candidate = hashApplicationPassword(secret, password);
  if (!user) return null;
  let match: { id: number; uuid: string; lastUsed: number | null } | null = null;
  for (const stored of await store.passwords.hashes(user.id)) {
    if (hashesMatch(candidate, stored.hash) && !match) match = stored;
  }
  if (!match) return null;
  if (match.lastUsed === null || now - match.lastUsed >= DAY_MS) await store.passwords.recordUse(match.id, now, ip);
  return { user, passwordUuid: match.uuid };
}
