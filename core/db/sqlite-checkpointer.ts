import { Worker } from 'node:worker_threads';

/**
 * Runs the SQLite WAL checkpoints on a thread of its own. Left to the writing connection, a
 * checkpoint happens inside the COMMIT that crosses `wal_autocheckpoint`: that commit then
 * copies up to 160 MB of pages into the database file and syncs it, on the event loop — a
 * quarter of an import's store pass, and a stall for whatever HTTP request committed then.
 * Here a second connection does PASSIVE checkpoints, which never block the writer, while
 * the writer goes on; the writer's own autocheckpoint stays as the fallback if this thread
 * falls behind or is gone.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  let ok = true;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    ok = false; // busy or gone: the next kick, or the writer's autocheckpoint, will do it
  }
  parentPort.postMessage(ok);
});
`;

export class WalCheckpointer {
  private worker: Worker | null = null;
  private busy = false;
  private again = false;
  private failed = false;
  /** Checkpoints this thread has completed (for tests and diagnostics). */
  completed = 0;

  constructor(private readonly file: string) {}

  /** Whether the thread is up. */
  get running(): boolean {
    return this.worker !== null;
  }

  /** Asks for a checkpoint soon; requests while one runs fold into one more after it. */
  kick(): void {
    if (this.failed) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    const worker = this.worker ?? this.start();
    if (!worker) return;
    this.busy = true;
    worker.postMessage('checkpoint');
  }

  private start(): Worker | null {
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), file: this.file } });
      // Never what keeps a process alive.
      worker.unref();
      worker.on('message', (ok: boolean) => {
        this.busy = false;
        if (ok) this.completed++;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
      worker.on('error', () => this.fail());
      worker.on('exit', () => {
        if (this.worker === worker) this.fail();
      });
      this.worker = worker;
      return worker;
    } catch {
      this.fail();
      return null;
    }
  }

  private fail(): void {
    // The writer's autocheckpoint still keeps the WAL bounded.
    this.failed = true;
    this.busy = false;
    this.worker = null;
  }

  /** Stops the thread once its checkpoint in progress is done. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.failed = true;
    this.worker = null;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Held open until it has exited: an unref'd thread would let the process end mid-close.
    worker.ref();
    worker.postMessage('close');
    await exited;
  }
}
