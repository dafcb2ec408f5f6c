import type { Database } from '../db/types';

/** Key/value settings and state, like wp_options: values are JSON. */
export class Options {
  constructor(private readonly db: Database) {}

  async get<T>(name: string): Promise<T | undefined> {
    const rows = await this.db.all<{ value: string }>('SELECT value FROM ah_options WHERE name = ?', [name]);
    return rows.length === 0 ? undefined : (JSON.parse(String(rows[0].value)) as T);
  }

  async set(name: string, value: unknown): Promise<void> {
    await this.db.run(this.db.sql.upsert('ah_options', ['name', 'value'], ['name']), [name, JSON.stringify(value)]);
  }

  /** Writes only if absent; returns the value that is stored afterwards (first writer wins). */
  async add<T>(name: string, value: T): Promise<T> {
    await this.db.run(this.db.sql.insertIgnoringDuplicates('ah_options', ['name', 'value'], 1, ['name']), [name, JSON.stringify(value)]);
    return (await this.get<T>(name)) as T;
  }

  async delete(name: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM ah_options WHERE name = ?', [name])).affectedRows > 0;
  }
}
