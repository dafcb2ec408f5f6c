import { PassThrough, Readable, Writable } from 'node:stream';
import { createHooks, type Hooks } from '../../hooks';
import { runCli } from '../../core/cli/program';
import { openStore, type Store } from '../../core/store/store';
import { createTestDatabase, type BackendName, type TestDatabase } from '../support/backends';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

export interface RunOptions {
  stdin?: Readable | Buffer | string;
  /** Pretend stderr is a terminal (progress bar). */
  tty?: boolean;
  hooks?: Hooks;
  env?: NodeJS.ProcessEnv;
}

/** Runs the real CLI in-process against the test database, as `analytics-host <argv>` would. */
export async function cli(db: TestDatabase, argv: string[], options: RunOptions = {}): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture(options.tty === true);
  let stdin: Readable;
  if (options.stdin instanceof Readable) stdin = options.stdin;
  else {
    const p = new PassThrough();
    p.end(options.stdin ?? '');
    stdin = p;
  }
  const env: NodeJS.ProcessEnv = { DATA_DIR: db.dataDir, ANALYTICS_LOG_LEVEL: 'error', ...options.env };
  if (db.databaseUrl) env.DATABASE_URL = db.databaseUrl;
  const code = await runCli(argv, { hooks: options.hooks ?? createHooks(), env, cwd: db.dataDir, stdout, stderr, stdin }, async () => {
    throw new Error('serve is not run by these tests');
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export interface CliTestDatabase {
  /** This test's database: a fresh one of the backend for each test. */
  readonly db: TestDatabase;
  /** The store the CLI wrote to, opened on first use (after the CLI ran) and closed after the test. */
  store(): Promise<Store>;
}

/** Registers the per-test set-up and tear-down of a CLI suite's database (call it inside `describe`). */
export function cliTestDatabase(backend: BackendName): CliTestDatabase {
  let db: TestDatabase | null = null;
  let store: Store | null = null;
  beforeEach(async () => {
    db = await createTestDatabase(backend);
  });
  afterEach(async () => {
    await store?.close();
    store = null;
    await db?.drop();
    db = null;
  });
  const t: CliTestDatabase = {
    get db(): TestDatabase {
      if (!db) throw new Error('cliTestDatabase: no database outside a test');
      return db;
    },
    store: async () => (store ??= await openStore(t.db.location)),
  };
  return t;
}
