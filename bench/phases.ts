/**
 * The parts of a cold verify-all, timed one by one on a built world with the
 * core's own functions (a profile's shares, in milliseconds): config, lock
 * file, trust record, entry digests, a verification thread's start, each
 * step of one package's checks (the first package, as a cold process meets
 * it, then the mean of the next ones), storing the results and reporting.
 *
 *   node bench/phases.ts WORLD [SAMPLE]      SAMPLE packages for the per-step means (default 100)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/core/config/load.ts';
import { readArchive } from '../src/core/archive/read.ts';
import { fileChecksumsOf } from '../src/core/archive/extract.ts';
import { readLockFile, workspacePaths } from '../src/core/lockfile/lockfile.ts';
import { manifestMismatch } from '../src/core/package/manifest.ts';
import { readTrustRecord, recordPathOf } from '../src/core/record/trust-record.ts';
import { checkDeployment } from '../src/core/verify/checks/check-deployed.ts';
import { gatherEvidence } from '../src/core/verify/evidence/evidence.ts';
import { runJob } from '../src/core/verify/checks/job.ts';
import type { JobResult } from '../src/core/verify/checks/job.ts';
import { installedDirOf } from '../src/core/lockfile/paths.ts';
import { reportOf } from '../src/core/verify/verdict/report.ts';
import { VerificationStore } from '../src/core/verify/store/result-store.ts';
import { scanInstalled } from '../src/core/scan/scan-installed.ts';
import { verificationServices } from '../src/core/verify/services.ts';
import { capturedFor, evidenceSource } from '../src/core/verify/evidence/sources.ts';
import { repo } from './harness.ts';

const world = resolve(process.argv[2] ?? '');
const SAMPLE = Number(process.argv[3] ?? 100);
const home = join(world, 'home');
const workspace = workspacePaths(join(world, 'project'));
const out: Record<string, number | string> = {};
const time = async <T>(label: string, what: () => T | Promise<T>): Promise<T> => {
  const started = performance.now();
  const value = await what();
  out[label] = Math.round((performance.now() - started) * 100) / 100;
  return value;
};
const kb = (path: string) => `${Math.round(statSync(path).size / 1024)} KiB`;

const config = await time('loadConfig', () => loadConfig({ homeDir: home, projectDir: workspace.root, env: {} }));
const services = await time('verificationServices', () => verificationServices(config, home, {}));
await time('trustDigest', () => services.verifier.trustDigest());
out.lockFileSize = kb(workspace.lockFile);
const lock = await time('readLockFile', () => readLockFile(workspace.lockFile));
await time('entryDigests', () => Object.values(lock.packages).map((e) => VerificationStore.digest(e)));
out.trustRecordSize = kb(recordPathOf(workspace.aamDir));
const record = await time('readTrustRecord', () => readTrustRecord(recordPathOf(workspace.aamDir)));

// A verification thread: until it runs JavaScript, and until it answers (bundle loaded, verifier built).
const worker = new Worker(join(repo, 'dist', 'verify-worker.js'), {
  workerData: { settings: services.verifier.settings },
});
const bootStarted = performance.now();
await new Promise((done) => worker.once('online', done));
out.workerOnline = Math.round(performance.now() - bootStarted);
worker.postMessage({ kind: 'jobs', first: 0, jobs: [] });
await new Promise((done) => worker.once('message', done));
out.workerReady = Math.round(performance.now() - bootStarted);
await worker.terminate();

// One package's steps, as runJob makes them.
const names = Object.keys(lock.packages).sort();
const steps = { evidence: 0, readArchive: 0, manifest: 0, installed: 0, deployed: 0, signature: 0 };
const roots = { project: workspace.root, home };
for (let i = 0; i <= Math.min(SAMPLE, names.length - 1); i++) {
  const name = names[i]!;
  const entry = lock.packages[name]!;
  const source = evidenceSource(entry, config.registries, services.cache.dir, false);
  const t = [performance.now()];
  const found = gatherEvidence(
    name,
    entry,
    installedDirOf(workspace, name),
    source,
    {},
    capturedFor(entry, record.packages[name]),
  );
  t.push(performance.now());
  const read = await readArchive(found.archive!);
  const files = fileChecksumsOf(read);
  const contents = new Map(read.files.map((f) => [f.path, f.data]));
  t.push(performance.now());
  manifestMismatch(read.manifestText, name, entry.version);
  t.push(performance.now());
  scanInstalled(found.installedDir, files, undefined, contents);
  t.push(performance.now());
  checkDeployment(name, read.manifestText, contents, { roots, expected: [] }, {});
  t.push(performance.now());
  const signature = found.signatures[0]!;
  await services.verifier.verify(signature.type, signature.bytes, found.archive!);
  t.push(performance.now());
  const ms = t.slice(1).map((v, k) => v - t[k]!);
  const keys = Object.keys(steps) as (keyof typeof steps)[];
  if (i === 0) keys.forEach((k, j) => (out[`first.${k}`] = Math.round(ms[j]! * 100) / 100));
  else keys.forEach((k, j) => (steps[k] += ms[j]! / Math.min(SAMPLE, names.length - 1)));
}
for (const [k, v] of Object.entries(steps)) out[`mean.${k}`] = Math.round(v * 1000) / 1000;

// Every package through runJob on this thread, then what follows the checks: reports, and the stored results.
const results: JobResult[] = [];
const started = performance.now();
for (const name of names) {
  const entry = lock.packages[name]!;
  results.push(
    await runJob(
      {
        name,
        entry,
        installedDir: installedDirOf(workspace, name),
        source: evidenceSource(entry, config.registries, services.cache.dir, false),
        skipSignature: false,
        previousScan: undefined,
        captured: capturedFor(entry, record.packages[name]),
        deploy: { roots, expected: record.packages[name]?.platforms ?? [] },
        recorded: record.packages[name],
      },
      services.verifier,
    ),
  );
}
out.runJobAllOneThread = Math.round(performance.now() - started);
const context = config.policyContext();
await time('reports', () =>
  results.map((r) => {
    const e = lock.packages[r.name]!;
    const summary = { version: e.version, source: e.source, checksum: e.checksum, fileCount: 0 };
    return reportOf(r.name, summary, r, context, workspace);
  }),
);
const dir = mkdtempSync(join(tmpdir(), 'aam-bench-phases-'));
try {
  const store = new VerificationStore(dir);
  for (const r of results)
    store.remember(workspace.lockFile, r.name, {
      key: 'k',
      summary: { version: '', source: '', checksum: '', fileCount: 0 },
      result: r,
    });
  await time('storeSave', () => store.save());
  out.storeSize = `${Math.round(JSON.stringify(store.all(workspace.lockFile)).length / 1024)} KiB`;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(out, null, 2));
