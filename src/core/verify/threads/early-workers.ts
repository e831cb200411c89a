import type { Worker } from 'node:worker_threads';

/**
 * Verification threads the CLI's launcher starts before it loads anything
 * else, when a run will likely verify every package (scripts/launchers.ts):
 * a thread takes about as long to boot as the process takes to load its
 * code, its config and its lock file, and until it has booted this thread
 * verifies alone. They boot without settings (the config is not read yet)
 * and wait for them (pool.ts sends them as it adopts each one); unreferenced
 * until adopted, they keep no process alive. Only the launcher makes them.
 */
const EARLY = Symbol.for('aam-trust.early-verify-workers');

/** Takes up to `count` of the early threads; the rest are ended, as nothing else will use them. */
export function adoptEarlyWorkers(count: number): Worker[] {
  const early = (globalThis as { [EARLY]?: Worker[] })[EARLY];
  if (!early) return [];
  delete (globalThis as { [EARLY]?: Worker[] })[EARLY];
  // One that has ended already (it failed to boot) is not adopted: the pool starts another.
  const alive = early.filter((worker) => worker.threadId >= 0);
  for (const spare of alive.slice(Math.max(0, count))) void spare.terminate().catch(() => undefined);
  return alive.slice(0, Math.max(0, count));
}
