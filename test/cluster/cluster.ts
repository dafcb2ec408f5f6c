/**
 * A 3-node MariaDB Galera cluster on loopback for jest suites (issue 9). Drives galera.sh next
 * to this file; node built-ins only.
 *
 *   let cluster: ClusterHandle;
 *   beforeAll(async () => { cluster = await startCluster(); }, 120_000);
 *   afterAll(() => cluster?.down(), 60_000);
 *
 * Nodes are numbered 1..3 as in galera.sh: node n listens on ports[n - 1] and urls[n - 1].
 * `up` takes ~10 s here; raise the hook timeouts above jest's default 30 s as shown.
 *
 * Teardown if a suite forgets down() or the process dies: an 'exit' hook (for plain node
 * scripts such as the bench), plus a detached watchdog that runs `galera.sh down` as soon as
 * this process is gone. The watchdog is what works under jest: a test file's `process` is a
 * sandbox copy whose 'exit' event never fires, and a SIGKILLed runner runs no hooks at all.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

export type NodeIndex = 1 | 2 | 3;

export interface ClusterOptions {
  /** Base dir for datadirs, sockets, configs (GALERA_DIR; default ${TMPDIR:-/tmp}/ah-galera). */
  dir?: string;
  /** SQL port of node 1; nodes 2 and 3 use +1, +2 (GALERA_BASE_PORT; default 4406). */
  basePort?: number;
  /** Galera port of node 1; node n uses +10*(n-1) (+1 IST, +2 SST) (GALERA_REPL_PORT; default 14567). */
  replPort?: number;
  /** Seconds galera.sh waits for nodes to be Synced (GALERA_TIMEOUT; default 90). */
  timeoutSec?: number;
  /** Extra wsrep_provider_options, e.g. 'evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S'. */
  providerOptions?: string;
  /** Receives galera.sh's progress lines (stderr). Default: discarded (shown only on failure). */
  log?: (line: string) => void;
}

export interface NodeStatus {
  node: NodeIndex;
  port: number;
  /** null when the node is down */
  pid: number | null;
  /** wsrep_local_state_comment ('Synced', 'Joining', 'Donor/Desynced', ...), 'down' or 'not-answering' */
  state: string;
  /** wsrep_cluster_size as this node sees it, null if down/not answering */
  size: number | null;
  /** wsrep_cluster_status ('Primary', 'non-Primary', ...) */
  status: string | null;
}

export interface ClusterHandle {
  readonly dir: string;
  /** SQL ports of nodes 1, 2, 3 */
  readonly ports: readonly [number, number, number];
  /** mysql://root@127.0.0.1:PORT/analytics for nodes 1, 2, 3 */
  readonly urls: readonly [string, string, string];
  /** mysql://root@127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3/analytics */
  readonly multiHostUrl: string;
  /** kill -9 node n (returns once the process is gone; the others notice ~5 s later). */
  kill(n: NodeIndex): Promise<void>;
  /** Restart node n (wsrep-recover, then start at that position: IST); resolves once it is Synced. */
  start(n: NodeIndex): Promise<void>;
  /** Clean shutdown of node n (SIGTERM, SIGKILL after 30 s). */
  stop(n: NodeIndex): Promise<void>;
  /**
   * Wait until node n (or every running node) is Synced and sees a cluster of as many nodes as
   * are running — after kill(n) this waits until the survivors have dropped the dead node.
   */
  waitSynced(n?: NodeIndex): Promise<void>;
  status(): Promise<NodeStatus[]>;
  /** Stop every node and remove the base dir. Safe to call more than once. */
  down(): Promise<void>;
}

export const GALERA_SH = path.join(__dirname, 'galera.sh');

interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs galera.sh; rejects with its stderr (the reason) unless it exits 0, or 1 when `exit1Ok`. */
function runGalera(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  log?: (line: string) => void,
  exit1Ok = false,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'bash',
      [GALERA_SH, ...args],
      { env, timeout: timeoutMs, killSignal: 'SIGTERM', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown; killed?: boolean }) | null;
        if (!e || (exit1Ok && e.code === 1 && !e.killed)) {
          resolve({ stdout, stderr });
          return;
        }
        const why = e.killed ? `timed out after ${Math.round(timeoutMs / 1000)}s` : `exit code ${String(e.code)}`;
        reject(new Error(`galera.sh ${args.join(' ')} failed (${why}):\n${stderr.trim() || e.message}`));
      },
    );
    if (log && child.stderr) {
      let buf = '';
      child.stderr.on('data', (chunk: Buffer | string) => {
        buf += chunk.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          log(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
    }
  });
}

function parseStatus(out: string): NodeStatus[] {
  const rows: NodeStatus[] = [];
  for (const line of out.split('\n')) {
    const m = /^node([123]) (.*)$/.exec(line.trim());
    if (!m) continue;
    const kv: Record<string, string> = {};
    for (const part of m[2].split(' ')) {
      const eq = part.indexOf('=');
      if (eq > 0) kv[part.slice(0, eq)] = part.slice(eq + 1);
    }
    const num = (v: string | undefined): number | null => (v && /^\d+$/.test(v) ? Number(v) : null);
    rows.push({
      node: Number(m[1]) as NodeIndex,
      port: Number(kv.port),
      pid: num(kv.pid),
      state: kv.state ?? 'unknown',
      size: num(kv.size),
      status: kv.status && kv.status !== '-' && kv.status !== '?' ? kv.status : null,
    });
  }
  return rows;
}

function checkNode(n: number): asserts n is NodeIndex {
  if (n !== 1 && n !== 2 && n !== 3) throw new Error(`cluster node must be 1, 2 or 3 (got ${n})`);
}

/**
 * Bring up a fresh 3-node cluster (tearing down any previous one at the same dir) and resolve
 * once all three nodes are Synced, database `analytics` exists and root@127.0.0.1 (no password)
 * works on every port. Rejects with galera.sh's reason (missing packages, busy ports, the tail
 * of the failing node's error log) otherwise.
 */
export async function startCluster(opts: ClusterOptions = {}): Promise<ClusterHandle> {
  const dir = path.resolve(
    opts.dir ?? process.env.GALERA_DIR ?? path.join(process.env.TMPDIR || os.tmpdir(), 'ah-galera'),
  );
  const basePort = opts.basePort ?? (process.env.GALERA_BASE_PORT ? Number(process.env.GALERA_BASE_PORT) : 4406);
  if (!Number.isInteger(basePort) || basePort <= 1024 || basePort > 65533) {
    throw new Error(`bad cluster base port ${basePort}`);
  }
  const timeoutSec = opts.timeoutSec ?? (process.env.GALERA_TIMEOUT ? Number(process.env.GALERA_TIMEOUT) : 90);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GALERA_DIR: dir,
    GALERA_BASE_PORT: String(basePort),
    GALERA_TIMEOUT: String(timeoutSec),
  };
  if (opts.replPort !== undefined) env.GALERA_REPL_PORT = String(opts.replPort);
  if (opts.providerOptions !== undefined) env.GALERA_PROVIDER_OPTIONS = opts.providerOptions;

  // generous outer limits: galera.sh enforces its own timeouts and explains what failed
  const upMs = (timeoutSec + 90) * 1000;
  const run = (args: string[], ms = upMs) => runGalera(args, env, ms, opts.log);

  const ports = [basePort, basePort + 1, basePort + 2] as const;
  const urls = ports.map((p) => `mysql://root@127.0.0.1:${p}/analytics`) as unknown as readonly [
    string,
    string,
    string,
  ];
  const multiHostUrl = `mysql://root@${ports.map((p) => `127.0.0.1:${p}`).join(',')}/analytics`;

  let isDown = false;
  let downPromise: Promise<void> | null = null;
  let watchdogPid: number | undefined;

  const downSync = (): void => {
    if (isDown) return;
    isDown = true;
    stopWatchdog();
    try {
      execFileSync('bash', [GALERA_SH, 'down', dir], { env, stdio: 'ignore', timeout: 120_000 });
    } catch {
      // exiting anyway; the next `up` at this dir tears down whatever is left
    }
  };
  const onExit = (): void => downSync();

  function stopWatchdog(): void {
    if (watchdogPid !== undefined) {
      try {
        process.kill(watchdogPid, 'SIGKILL');
      } catch {
        // already gone
      }
      watchdogPid = undefined;
    }
  }

  process.on('exit', onExit);

  try {
    await run(['up', dir]);
  } catch (err) {
    // a failed `up` kills the nodes it started and keeps their logs in `dir` (its message has
    // the reason and the failing node's log tail); only an outer timeout needs a full down
    process.removeListener('exit', onExit);
    if (/timed out after/.test(String((err as Error).message))) {
      await runGalera(['down', dir], env, 120_000).catch(() => undefined);
    }
    throw err;
  }

  // tears the cluster down when this process is gone, however it went
  const watchdog = spawn(
    'bash',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec bash "$2" down "$3"',
      'galera-watchdog',
      String(process.pid),
      GALERA_SH,
      dir,
    ],
    { env, detached: true, stdio: 'ignore' },
  );
  watchdog.on('error', () => undefined);
  watchdogPid = watchdog.pid;
  watchdog.unref();

  const handle: ClusterHandle = {
    dir,
    ports,
    urls,
    multiHostUrl,
    async kill(n) {
      checkNode(n);
      await run(['kill', String(n)], 60_000);
    },
    async start(n) {
      checkNode(n);
      await run(['start', String(n)]);
    },
    async stop(n) {
      checkNode(n);
      await run(['stop', String(n)], 120_000);
    },
    async waitSynced(n) {
      if (n !== undefined) checkNode(n);
      await run(n === undefined ? ['wait'] : ['wait', String(n)]);
    },
    async status() {
      // galera.sh status exits 1 unless all three are Synced; the lines are what matter
      const { stdout } = await runGalera(['status'], env, 60_000, opts.log, true);
      return parseStatus(stdout);
    },
    down() {
      if (!downPromise) {
        downPromise = (async () => {
          if (isDown) return;
          stopWatchdog();
          try {
            await run(['down', dir], 120_000);
          } finally {
            isDown = true;
            process.removeListener('exit', onExit);
          }
        })();
      }
      return downPromise;
    },
  };
  return handle;
}
