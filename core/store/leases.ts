import type { Database } from '../db/types';

/**
 * A named lease with an expiry, taken by a conditional write: correct across processes
 * and on Galera, where GET_LOCK is node-local. Losing a certification conflict (1213) or
 * a duplicate-key race means "someone else holds it", never an error.
 */
export class Leases {
  constructor(private readonly db: Database) {}

  async acquire(name: string, owner: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    try {
      const taken = await this.db.run('UPDATE ah_leases SET owner = ?, expires_at = ? WHERE name = ? AND (expires_at < ? OR owner = ?)', [
        owner,
        now + ttlMs,
        name,
        now,
        owner,
      ]);
      if (taken.affectedRows > 0) return true;
      const created = await this.db.run(this.db.sql.insertIgnoringDuplicates('ah_leases', ['name', 'owner', 'expires_at'], 1, ['name']), [
        name,
        owner,
        now + ttlMs,
      ]);
      return created.affectedRows > 0;
    } catch (err) {
      if ((err as { errno?: number }).errno === 1213) return false;
      throw err;
    }
  }

  /** Extends a lease this owner still holds; false if it was lost (expired and taken). */
  async renew(name: string, owner: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    const r = await this.db.run('UPDATE ah_leases SET expires_at = ? WHERE name = ? AND owner = ?', [now + ttlMs, name, owner]);
    if (r.affectedRows > 0) return true;
    // MySQL counts an update that changes nothing (same expiry) as 0 rows: look before saying "lost".
    return (await this.holder(name, now))?.owner === owner;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.db.run('DELETE FROM ah_leases WHERE name = ? AND owner = ?', [name, owner]);
  }

  async holder(name: string, now = Date.now()): Promise<{ owner: string; expiresAt: number } | null> {
    const rows = await this.db.all<{ owner: string; expires_at: number | string }>('SELECT owner, expires_at FROM ah_leases WHERE name = ?', [name]);
    if (rows.length === 0 || Number(rows[0].expires_at) < now) return null;
    return { owner: String(rows[0].owner), expiresAt: Number(rows[0].expires_at) };
  }
}
