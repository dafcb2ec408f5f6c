/**
 * `npm run bench`: every benchmark, one after the other, each in its own process so one
 * bench's heap and connections do not colour the next one's figures. BENCH_ONLY picks
 * some (`BENCH_ONLY=hooks,export`). Each bench prints its own table of medians and ratios;
 * the sizes are each bench's defaults unless its BENCH_* variables say otherwise.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const BENCHES = ['hooks', 'ingest', 'export', 'cron', 'query', 'cluster'] as const;

function main(): number {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((b) => !(BENCHES as readonly string[]).includes(b)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`BENCH_ONLY names unknown benches: ${unknown.join(', ')} (known: ${BENCHES.join(', ')})\n`);
    return 2;
  }
  let failed = 0;
  for (const name of BENCHES) {
    if (only && !only.includes(name)) continue;
    process.stdout.write(`\n===== bench/${name} =====\n`);
    const started = Date.now();
    const r = spawnSync(process.execPath, [path.join(__dirname, `${name}.js`)], { stdio: 'inherit', env: process.env });
    process.stdout.write(`===== bench/${name}: ${r.status === 0 ? 'done' : `exit ${r.status ?? r.signal}`} in ${((Date.now() - started) / 1000).toFixed(0)} s =====\n`);
    if (r.status !== 0) failed++;
  }
  return failed === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main();
