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
 * "done", with every thread booted and its operands prepared beforehand.
 *
 * Run as its own process: node bench/floor.ts sigstore|gpg WORLD RUNS [THREADS]
 * Prints { times, threads, deployedMismatches } (the packages whose deployed
 * copy holds something else: a collision, reported rather than thrown).
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { checkFiles, presentRoots } from './floor/files.ts';
import { checkPgp, preparePgp } from './floor/pgp.ts';
import { checkSigstore, prepareSigstore } from './floor/sigstore.ts';

type Kind = 'sigstore' | 'gpg';

/** Prepares a world's operands, and returns one pass over the packages `next()` hands out: the names whose deployed copy differs. */
async function prepare(kind: Kind, world: string): Promise<{ count: number; pass: (next: () => number) => string[] }> {
  const packages =
    kind === 'gpg'
      ? (await preparePgp(world)).map((p) => ({ files: p.files, check: (a: Buffer) => checkPgp(p, a) }))
      : (await prepareSigstore(world)).map((p) => ({ files: p.files, check: (a: Buffer) => checkSigstore(p, a) }));
  return {
    count: packages.length,
    pass: (next) => {
      const present = presentRoots(packages);
      const mismatches: string[] = [];
      for (let i = next(); i < packages.length; i = next()) {
        const p = packages[i]!;
        const { archive, deployedOk } = checkFiles(p.files, present);
        p.check(archive);
        if (!deployedOk) mismatches.push(p.files.name);
      }
      return mismatches;
    },
  };
}

async function oneThread(kind: Kind, world: string, runs: number) {
  const { pass } = await prepare(kind, world);
  const times: number[] = [];
  let mismatches: string[] = [];
  for (let r = 0; r < runs; r++) {
    let i = 0;
    const started = performance.now();
    mismatches = pass(() => i++);
    times.push(performance.now() - started);
  }
  return { times, threads: 1, deployedMismatches: mismatches.sort() };
}

async function threads(kind: Kind, world: string, runs: number, count: number) {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL(import.meta.url), { workerData: { kind, world, counter } }),
  );
  const message = (worker: Worker) =>
    new Promise<string[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  try {
    await Promise.all(workers.map(message)); // every thread booted and prepared
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
  const { kind, world, counter } = workerData as { kind: Kind; world: string; counter: Int32Array };
  const { pass } = await prepare(kind, world);
  parentPort!.on('message', () => parentPort!.postMessage(pass(() => Atomics.add(counter, 0, 1))));
  parentPort!.postMessage([]);
} else if (import.meta.main) {
  const [kind, world, runs, count] = process.argv.slice(2) as [Kind, string, string?, string?];
  const wanted = Number(count ?? availableParallelism());
  const result =
    wanted <= 1
      ? await oneThread(kind, world, Number(runs ?? 3))
      : await threads(kind, world, Number(runs ?? 3), wanted);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
