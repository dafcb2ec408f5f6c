import { randomUUID } from 'node:crypto';
import type { Database } from '../db/types';

export type Role = 'administrator' | 'editor' | 'subscriber';
export const ROLES: readonly Role[] = ['administrator', 'editor', 'subscriber'];

export interface User {
  id: number;
  login: string;
  email: string;
  role: Role;
  created: number;
}

/** What may be shown of an application password: never the password or its hash. */
export interface ApplicationPasswordInfo {
  uuid: string;
  name: string;
  created: number;
  last_used: number | null;
  last_ip: string | null;
}

export interface StoredPasswordHash {
  id: number;
  uuid: string;
  hash: string;
  lastUsed: number | null;
}

type UserRow = { id: number | string; login: string; email: string; role: string; created_at: number | string };
const toUser = (r: UserRow): User => ({ id: Number(r.id), login: String(r.login), email: String(r.email), role: r.role as Role, created: Number(r.created_at) });

export class DuplicateLoginError extends Error {
  constructor(login: string) {
    super(`A user with the login "${login}" already exists.`);
    this.name = 'DuplicateLoginError';
  }
}

export class Users {
  constructor(private readonly db: Database) {}

  async create(login: string, email: string, role: Role): Promise<User> {
    const created = Date.now();
    const r = await this.db.run(this.db.sql.insertIgnoringDuplicates('ah_users', ['login', 'email', 'role', 'created_at'], 1, ['login']), [
      login,
      email,
      role,
      created,
    ]);
    if (r.affectedRows === 0) throw new DuplicateLoginError(login);
    const user = await this.byLogin(login);
    if (!user) throw new Error(`user "${login}" vanished after it was created`);
    return user;
  }

  async byLogin(login: string): Promise<User | null> {
    const rows = await this.db.all<UserRow>('SELECT id, login, email, role, created_at FROM ah_users WHERE login = ?', [login]);
    return rows.length ? toUser(rows[0]) : null;
  }

  async list(): Promise<User[]> {
    return (await this.db.all<UserRow>('SELECT id, login, email, role, created_at FROM ah_users ORDER BY login')).map(toUser);
  }

  /** Deletes the user and every application password of theirs in one step: revoked at once. */
  async delete(login: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.all<{ id: number | string }>('SELECT id FROM ah_users WHERE login = ?', [login]);
      if (rows.length === 0) return false;
      await tx.run('DELETE FROM ah_app_passwords WHERE user_id = ?', [rows[0].id as number]);
      await tx.run('DELETE FROM ah_users WHERE id = ?', [rows[0].id as number]);
      return true;
    });
  }
}

type PasswordRow = { id: number | string; uuid: string; name: string; hash: string; created_at: number | string; last_used: number | string | null; last_ip: string | null };

export class ApplicationPasswords {
  constructor(private readonly db: Database) {}

  async create(userId: number, name: string, hash: string): Promise<ApplicationPasswordInfo> {
    const uuid = randomUUID();
    const created = Date.now();
    await this.db.run('INSERT INTO ah_app_passwords (uuid, user_id, name, hash, created_at) VALUES (?, ?, ?, ?, ?)', [uuid, userId, name, hash, created]);
    return { uuid, name, created, last_used: null, last_ip: null };
  }

  async list(userId: number): Promise<ApplicationPasswordInfo[]> {
    const rows = await this.db.all<PasswordRow>(
      'SELECT uuid, name, created_at, last_used, last_ip FROM ah_app_passwords WHERE user_id = ? ORDER BY created_at, id',
      [userId],
    );
    return rows.map((r) => ({
      uuid: String(r.uuid),
      name: String(r.name),
      created: Number(r.created_at),
      last_used: r.last_used === null ? null : Number(r.last_used),
      last_ip: r.last_ip === null ? null : String(r.last_ip),
    }));
  }

  async hashes(userId: number): Promise<StoredPasswordHash[]> {
    const rows = await this.db.all<PasswordRow>('SELECT id, uuid, hash, last_used FROM ah_app_passwords WHERE user_id = ?', [userId]);
    return rows.map((r) => ({ id: Number(r.id), uuid: String(r.uuid), hash: String(r.hash), lastUsed: r.last_used === null ? null : Number(r.last_used) }));
  }

  async delete(userId: number, uuid: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM ah_app_passwords WHERE user_id = ? AND uuid = ?', [userId, uuid])).affectedRows > 0;
  }

  async recordUse(id: number, at: number, ip: string | null): Promise<void> {
    await this.db.run('UPDATE ah_app_passwords SET last_used = ?, last_ip = ? WHERE id = ?', [at, ip, id]);
  }
}
