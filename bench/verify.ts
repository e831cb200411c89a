/**
 * One verify-all measurement over a built world, with the bundled engine
 * (dist/features.js, workers from dist/verify-worker.js), as a user's
 * extension host or CLI runs it (the store, like the extension's, comes from
 * the start-up code). Run as its own process:
 *
 *   node bench/verify.ts cold WORLD [WORKERS]   one cold run, no stored results
 *   node bench/verify.ts warm WORLD RUNS        a cold run that stores results, then RUNS warm runs
 *                                               (store in memory), then one with the store read from disk
 *
 * Prints JSON. Exits non-zero unless every package verifies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VerificationStore } from '../src/core/verify/store/result-store.ts';
import { installVscodeStub } from './vscode-stub.ts';

installVscodeStub();
const engine = createRequire(import.meta.url)(join(import.meta.dirname, '..', 'dist', 'features.js'));
const [mode, world, arg] = process.argv.slice(2) as [string, string, string | undefined];
const home = join(world, 'home');
const project = join(world, 'project');
const config = await engine.loadConfig({ homeDir: home, projectDir: project, env: {} });
const workspace = {
  root: project,
  aamDir: join(project, '.aam'),
  lockFile: join(project, '.aam', 'aam-lock.yaml'),
  packagesDir: join(project, '.aam', 'packages'),
};
const cache = new engine.EvidenceCache(join(home, '.aam', 'cache'));

async function run(options: Record<string, unknown>): Promise<number> {
  const started = performance.now();
  const reports = await engine.verifyWorkspace({
    workspace,
    config,
    cache,
    verifier: engine.createSignatureVerifier(config, home, {}),
    ...options,
  });
  const ms = performance.now() - started;
  const verified = reports.filter((r: { verdict: { status: string } }) => r.verdict.status === 'verified').length;
  if (verified !== reports.length || reports.length === 0)
    throw new Error(`only ${verified} of ${reports.length} packages verified`);
  return ms;
}

if (mode === 'cold') {
  const workers = arg === undefined ? undefined : Number(arg);
  process.stdout.write(`${JSON.stringify({ ms: await run({ workers }) })}\n`);
} else {
  const storeDir = mkdtempSync(join(tmpdir(), 'aam-bench-store-'));
  try {
    const store = new VerificationStore(storeDir);
    const coldMs = await run({ store });
    const warm: number[] = [];
    for (let i = 0; i < Number(arg ?? 5); i++) warm.push(await run({ store }));
    const fromDiskMs = await run({ store: new VerificationStore(storeDir) });
    process.stdout.write(`${JSON.stringify({ coldMs, warm, fromDiskMs })}\n`);
  } finally {
    rmSync(storeDir, { recursive: true, force: true });
  }
}
