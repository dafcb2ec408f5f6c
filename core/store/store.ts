import { migrate, type MigrationReport } from '../db/migrate';
import { openDatabase, type DatabaseLocation } from '../db/open';
import type { Database } from '../db/types';
import { EventReader, type PageWarmer } from './event-reader';
import { FileQueue } from './files';
import { Ingestor } from './ingest';
import { Leases } from './leases';
import { Options } from './options';
import { ApplicationPasswords, Users } from './users';

/**
 * Warm-up statements under way at once, across all pulls (MySQL): one pull's parts (see
 * ReadAhead), so that concurrent pulls share them rather than crowd out ingestion.
 */
const MAX_WARMUPS = 4;

/** The event store and everything kept beside it, over one database (SQLite or MySQL). */
export class Store {
  readonly ingest: Ingestor;
  readonly files: FileQueue;
  readonly options: Options;
  readonly leases: Leases;
  readonly users: Users;
  readonly passwords: ApplicationPasswords;

  constructor(readonly db: Database) {
    this.ingest = new Ingestor(db);
    this.files = new FileQueue(db);
    this.options = new Options(db);
    this.leases = new Leases(db);
    this.users = new Users(db);
    this.passwords = new ApplicationPasswords(db);
    if (db.dialect === 'mysql') {
      this.warmer = (sql, params) => {
        if (this.warmups >= MAX_WARMUPS) return Promise.resolve(undefined);
        this.warmups++;
        return db.all<Record<string, unknown>>(sql, params).finally(() => this.warmups--);
      };
    }
  }

  /** A reader over one consistent snapshot; close (or destroy) it when done. */
  async openEventReader(): Promise<{ reader: EventReader; close(): Promise<void>; destroy(): void }> {
    const session = await this.db.openReadSession();
    return { reader: new EventReader(session, this.db.sql, this.warmer), close: () => session.close(), destroy: () => session.destroy() };
  }

  /**
   * MySQL: page warm-ups for the readers (see EventReader.warmAhead) through the pool, at
   * most MAX_WARMUPS at a time across all pulls so they never crowd out ingestion.
   */
  private readonly warmer: PageWarmer | undefined;
  private warmups = 0;

  migrate(): Promise<MigrationReport> {
    return migrate(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** Opens the database named by the location and brings its schema up to date. */
export async function openStore(location: DatabaseLocation): Promise<Store> {
  const store = new Store(openDatabase(location));
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}
