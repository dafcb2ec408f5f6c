import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Store } from '../core/store/store';

export const LEASE_NAME = 'export';
/**
 * The lease lives 60 s and is renewed every 15 s while a run goes on, and once more before
 * each mark. It is not derived from the schedule's interval: a process that dies holding it
 * blocks the others for one TTL, whatever the schedule (a daily export must not wait 3 days).
 */
export const LEASE_TTL_MS = 60_000;
export const LEASE_RENEW_MS = 15_000;

export class LeaseLostError extends Error {
  constructor(reason: string) {
    super(`lost the export lease (${reason}); another process may be running the export`);
    this.name = 'LeaseLostError';
  }
}

/**
 * The cross-process "one run at a time" for the export: a row in `ah_leases` taken by a
 * conditional write (store/leases.ts: correct on Galera, where GET_LOCK is node-local).
 * Every run has its own owner id, so two runs in one process exclude each other too.
 */
export class ExportLease {
  private timer: NodeJS.Timeout | undefined;
  private lostReason: string | null = null;
  private released = false;

  private constructor(
    private readonly store: Store,
    readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes the lease, or resolves to null when another run holds it. */
  static async acquire(store: Store, options: { ttlMs?: number; renewMs?: number } = {}): Promise<ExportLease | null> {
    const ttlMs = options.ttlMs ?? LEASE_TTL_MS;
    const owner = `${os.hostname()}:${process.pid}:${randomUUID()}`;
    if (!(await store.leases.acquire(LEASE_NAME, owner, ttlMs))) return null;
    const lease = new ExportLease(store, owner, ttlMs);
    lease.timer = setInterval(() => void lease.renewQuietly(), options.renewMs ?? LEASE_RENEW_MS);
    lease.timer.unref();
    return lease;
  }

  /** Who holds the lease now, if anyone (for messages). */
  static holder(store: Store): Promise<{ owner: string; expiresAt: number } | null> {
    return store.leases.holder(LEASE_NAME);
  }

  /** Set once a renewal found the lease taken by someone else. */
  get lost(): boolean {
    return this.lostReason !== null;
  }

  /** Throws LeaseLostError if a renewal already found the lease gone (no database round trip). */
  check(): void {
    if (this.lostReason !== null) throw new LeaseLostError(this.lostReason);
  }

  /** Renews now and throws unless the lease is still this run's: called right before marking files exported. */
  async confirm(): Promise<void> {
    this.check();
    if (!(await this.store.leases.renew(LEASE_NAME, this.owner, this.ttlMs))) {
      this.lostReason = 'it expired and was taken';
      this.check();
    }
  }

  private async renewQuietly(): Promise<void> {
    if (this.released || this.lostReason !== null) return;
    try {
      if (!(await this.store.leases.renew(LEASE_NAME, this.owner, this.ttlMs))) this.lostReason = 'it expired and was taken';
    } catch {
      // A database that cannot be reached fails the run on its own; confirm() decides before any mark.
    }
  }

  /** Stops renewing and gives the lease up (best effort: if the database is gone it expires by itself). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    await this.store.leases.release(LEASE_NAME, this.owner).catch(() => undefined);
  }
}
