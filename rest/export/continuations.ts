import type { EventWindow, KeysetPosition } from '../../core/store/event-reader';
import type { CursorState } from './cursor';

/** What the request for a page can take over from the answer before it. */
export interface PageContinuation {
  /** The pull's window with its horizon fixed and prepared (the range pull's bot filter). */
  window: EventWindow;
  /** Where the page ends (looked up on another connection while the page before streamed); null: not found. */
  end: Promise<KeysetPosition | null>;
}

/**
 * The pages of paged pulls that this process expects next. As an answer's headers go out,
 * the end of the page after it is looked up on another connection, so that when the
 * client follows the Link the page can send its own headers at once instead of scanning
 * the index for where it ends (~4 ms a page of 10,000 on MariaDB, while the client waits).
 * Taken at most once; forgotten after a minute, or when MAX_ENTRIES newer ones came. A
 * request that finds nothing here (another instance served the page before, or the client
 * came back late) looks the end up itself, as the first page does.
 *
 * The lookup reads a newer state of the database than the page will: a row below the
 * horizon that committed in between could move the page's end, so the page checks, as it
 * streams, that it ends where its Link said (see streamDay's `expectLast`).
 */
export class PageContinuations {
  private readonly entries = new Map<string, PageContinuation & { expires: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 256,
  ) {}

  /** The key of the page that starts at `cursor` and sends `count` events, for the pull `print`. */
  static key(print: string, cursor: CursorState, count: number): string {
    return `${print}|${cursor.maxId}|${cursor.after.ts}|${cursor.after.id}|${cursor.sent}|${count}`;
  }

  offer(key: string, continuation: PageContinuation, now = Date.now()): void {
    for (const [k, e] of this.entries) {
      if (e.expires > now && this.entries.size < this.maxEntries) break;
      this.entries.delete(k);
    }
    // A lookup that fails only means the page looks its end up itself.
    continuation.end.catch(() => undefined);
    this.entries.set(key, { ...continuation, expires: now + this.ttlMs });
  }

  take(key: string, now = Date.now()): PageContinuation | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    return e.expires > now ? { window: e.window, end: e.end } : undefined;
  }

  get size(): number {
    return this.entries.size;
  }
}
