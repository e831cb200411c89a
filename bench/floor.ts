/**
 * The floor: the least work anyone verifying these packages must do, with
 * node:crypto alone — every check verification makes (floor/files.ts: archive,
 * signature file, archive entries, installed files, deployed copies; and the
 * signature checks of floor/sigstore.ts or floor/pgp.ts), nothing else.
 * Parsing (lock file, bundles, keys, manifests) is done before the clock starts.
 *
 * On one thread, or split over THREADS worker threads that each take the next
 * package as they finish one (so a thread the machine's other work slows
 * does not hold the rest up); the clock runs from "go" to the last thread's
 * "done", with every thread booted and holding a copy of the operands, which
 * are prepared once beforehand.
 *
 * Run as its own process: node bench/floor.ts sigstore|gpg WORLD RUNS [THREADS]
 * Prints { times, threads, deployedMismatches } (the packages whose deployed
 * copy holds something else: a collision, reported rather than thrown).
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { checkFiles, presentRoots } from './floor/files.ts';
import type { FileOperands } from './floor/files.ts';
import { checkPgp, preparePgp } from './floor/pgp.ts';
import type { PgpOperands } from './floor/pgp.ts';
import { checkSigstore, prepareSigstore } from './floor/sigstore.ts';
import type { SigstoreOperands } from './floor/sigstore.ts';

type Kind = 'sigstore' | 'gpg';
/** A world's operands, as plain data: prepared once, and cloned to every thread (key objects clone too). */
type Operands = { kind: 'gpg'; packages: PgpOperands[] } | { kind: 'sigstore'; packages: SigstoreOperands[] };

async function prepare(kind: Kind, world: string): Promise<Operands> {
  return kind === 'gpg'
    ? { kind, packages: await preparePgp(world) }
    : { kind, packages: await prepareSigstore(world) };
}

/** One pass over the packages `next()` hands out; returns the names whose deployed copy holds something else. */
function pass(operands: Operands, next: () => number): string[] {
  const packages: { files: FileOperands; check: (archive: Buffer) => void }[] =
    operands.kind === 'gpg'
      ? operands.packages.map((p) => ({ files: p.files, check: (a: Buffer) => checkPgp(p, a) }))
      : operands.packages.map((p) => ({ files: p.files, check: (a: Buffer) => checkSigstore(p, a) }));
  const present = presentRoots(packages);
  const mismatches: string[] = [];
  for (let i = next(); i < packages.length; i = next()) {
    const p = packages[i]!;
    const { archive, deployedOk } = checkFiles(p.files, present);
    p.check(archive);
    if (!deployedOk) mismatches.push(p.files.name);
  }
  return mismatches;
}

function oneThread(operands: Operands, runs: number) {
  const times: number[] = [];
  let mismatches: string[] = [];
  for (let r = 0; r < runs; r++) {
    let i = 0;
    const started = performance.now();
    mismatches = pass(operands, () => i++);
    times.push(performance.now() - started);
  }
  return { times, threads: 1, deployedMismatches: mismatches.sort() };
}

async function threads(operands: Operands, runs: number, count: number) {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL(import.meta.url), { workerData: { operands, counter } }),
  );
  const message = (worker: Worker) =>
    new Promise<string[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  try {
    await Promise.all(workers.map(message)); // every thread booted, its operands in hand
    const times: number[] = [];
    let mismatches: string[] = [];
    for (let r = 0; r < runs; r++) {
      Atomics.store(counter, 0, 0);
      const done = workers.map(message);
      const started = performance.now();
      for (const worker of workers) worker.postMessage('go');
      mismatches = (await Promise.all(done)).flat();
      times.push(performance.now() - started);
    }
    return { times, threads: count, deployedMismatches: mismatches.sort() };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

if (!isMainThread) {
  const { operands, counter } = workerData as { operands: Operands; counter: Int32Array };
  parentPort!.on('message', () => parentPort!.postMessage(pass(operands, () => Atomics.add(counter, 0, 1))));
  parentPort!.postMessage([]);
} else if (import.meta.main) {
  const [kind, world, runs, count] = process.argv.slice(2) as [Kind, string, string?, string?];
  const wanted = Number(count ?? availableParallelism());
  const operands = await prepare(kind, world);
  const result =
    wanted <= 1 ? oneThread(operands, Number(runs ?? 3)) : await threads(operands, Number(runs ?? 3), wanted);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
