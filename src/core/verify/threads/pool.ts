import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { runJob } from '../checks/job.ts';
import type { JobResult, VerifyJob } from '../checks/job.ts';
import type { SignatureVerifier } from '../../signature/verifier.ts';

/** To a worker: jobs to run, the answer to its question about a key, or that there is nothing more. */
export type ToWorker = WorkerRequest | KeyAnswer | WorkerEnd;

/** No more jobs: the worker ends itself (its launcher then stores its code cache, see scripts/launchers.ts). */
export interface WorkerEnd {
  kind: 'end';
}

export interface WorkerRequest {
  kind: 'jobs';
  /** The id of the first job; the rest follow in order. */
  first: number;
  jobs: VerifyJob[];
}

export interface KeyAnswer {
  kind: 'key';
  question: number;
  answer: Awaited<ReturnType<SignatureVerifier['leanKey']>>;
}

/** From a worker: the outcomes of a request, or a question about a key. */
export type FromWorker = WorkerReply | KeyQuestion;

/** One reply per request, in the request's order: a result, or why the job failed inside the worker. */
export interface WorkerReply {
  kind: 'outcomes';
  first: number;
  outcomes: ({ result: JobResult } | { error: string })[];
}

/** An OpenPGP key the worker's fast path needs: this thread has the keyrings, loaded once for all threads. */
export interface KeyQuestion {
  kind: 'key';
  question: number;
  keyId: string;
  /** ms since the epoch */
  at: number;
}

export interface RunJobsOptions {
  /** Worker threads to use at most, besides this thread; 0 runs everything on this thread. Default: one per core but one. */
  workers?: number;
  onResult?: (result: JobResult) => void;
  signal?: AbortSignal;
  /** Why workers could not be used (the jobs then run on this thread). */
  onFallback?: (reason: string) => void;
  /** The worker's entry point (tests substitute one that dies). */
  workerScript?: URL;
}

/** Below this many jobs, starting threads costs more than it saves. */
const MIN_JOBS_PER_WORKER = 24;
/** Jobs handed to a worker at a time; two batches are in flight, so it never waits for the next. */
const BATCH = 8;
const IN_FLIGHT = 2;

/**
 * The next batch's size: whole batches while many jobs are left, smaller ones as they run out, so
 * that no thread sits idle at the end while another still holds two full batches.
 */
export function batchOf(left: number): number {
  return Math.max(1, Math.min(BATCH, Math.floor(left / BATCH)));
}

/** How many worker threads, besides the calling thread, are worth starting for `jobs` jobs. */
export function workersFor(jobs: number, wanted: number = availableParallelism() - 1): number {
  return Math.max(0, Math.min(wanted, Math.floor(jobs / MIN_JOBS_PER_WORKER)));
}

/**
 * Worker threads that verify jobs; each builds its verifier (trust material)
 * once. Threads start when the pool is made, so that they boot while the
 * caller is still preparing the jobs.
 */
export class VerifyPool {
  private readonly threads: { worker: Worker | undefined; failure: string | undefined; ending?: boolean }[] = [];
  private readonly settings: SignatureVerifier['settings'];
  private readonly script: URL;

  constructor(verifier: SignatureVerifier, count: number, script: URL = workerScript()) {
    this.settings = verifier.settings;
    this.script = script;
    this.grow(count);
  }

  get size(): number {
    return this.threads.length;
  }

  /** Starts threads until there are `count`. */
  grow(count: number): void {
    while (this.threads.length < count) {
      try {
        this.threads.push({
          worker: new Worker(this.script, { workerData: { settings: this.settings } }),
          failure: undefined,
        });
      } catch (error) {
        this.threads.push({ worker: undefined, failure: String(error) });
      }
    }
  }

  /**
   * Runs the jobs on the pool's threads and this one, then ends the threads.
   * Results come back in job order. This thread starts at once, while the
   * others boot. A thread that cannot start or dies hands its jobs back to
   * this thread: a verification is never lost to the machinery.
   */
  async run(
    jobs: readonly VerifyJob[],
    verifier: SignatureVerifier,
    options: RunJobsOptions = {},
  ): Promise<JobResult[]> {
    const results: (JobResult | undefined)[] = new Array(jobs.length);
    const done = (id: number, result: JobResult) => {
      results[id] = result;
      options.onResult?.(result);
    };
    let next = 0;
    const leftovers: number[] = [];
    // This thread takes jobs too, one at a time, letting the threads' replies and the rest of the process in between.
    const here = async () => {
      while (next < jobs.length && !options.signal?.aborted) {
        const id = next++;
        done(id, await runJob(jobs[id]!, verifier));
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    // A job that throws here ends the run; the caller closes the pool, which ends the threads.
    await Promise.all([
      here(),
      ...this.threads.map(
        (thread) =>
          new Promise<void>((resolve) => {
            const { worker, failure } = thread;
            if (!worker) {
              options.onFallback?.(failure ?? 'the thread did not start');
              resolve();
              return;
            }
            const inFlight = new Map<number, number>(); // first id → batch length
            let finished = false;
            // A thread that ran out of jobs ends itself; one that failed, died or was aborted is ended here.
            const finish = (ended = false) => {
              if (finished) return;
              finished = true;
              for (const [first, length] of inFlight) for (let i = 0; i < length; i++) leftovers.push(first + i);
              options.signal?.removeEventListener('abort', abort);
              if (ended) {
                // Every job it took is answered: the run goes on while it exits (see close).
                thread.ending = true;
                worker.postMessage({ kind: 'end' } satisfies ToWorker);
                resolve();
              } else
                void worker.terminate().then(
                  () => resolve(),
                  () => resolve(),
                );
            };
            const abort = () => finish();
            const feed = () => {
              if (options.signal?.aborted) return finish();
              while (inFlight.size < IN_FLIGHT && next < jobs.length) {
                const first = next;
                const batch = jobs.slice(first, first + batchOf(jobs.length - first));
                next += batch.length;
                inFlight.set(first, batch.length);
                worker.postMessage({ kind: 'jobs', first, jobs: batch } satisfies ToWorker);
              }
              if (inFlight.size === 0) finish(true);
            };
            options.signal?.addEventListener('abort', abort);
            worker.on('message', (reply: FromWorker) => {
              if (reply.kind === 'key') {
                // No answer is an answer too: the worker then asks openpgp.js itself.
                verifier.leanKey(reply.keyId, new Date(reply.at)).then(
                  (answer) => worker.postMessage({ kind: 'key', question: reply.question, answer } satisfies ToWorker),
                  () =>
                    worker.postMessage({ kind: 'key', question: reply.question, answer: undefined } satisfies ToWorker),
                );
                return;
              }
              inFlight.delete(reply.first);
              reply.outcomes.forEach((outcome, i) => {
                // An error is not a verdict: the job failed inside the worker. It runs again here, where an error reaches the caller.
                if ('error' in outcome) leftovers.push(reply.first + i);
                else done(reply.first + i, outcome.result);
              });
              feed();
            });
            worker.on('error', (error) => {
              options.onFallback?.(error.message);
              finish();
            });
            worker.on('exit', () => finish());
            feed();
          }),
      ),
    ]);
    if (options.signal?.aborted) return results.filter((r): r is JobResult => r !== undefined);
    // What no worker took or finished, in order, on this thread.
    const remaining = [...leftovers, ...Array.from({ length: jobs.length - next }, (_, i) => next + i)].sort(
      (a, b) => a - b,
    );
    for (const id of remaining) {
      if (options.signal?.aborted) break;
      done(id, await runJob(jobs[id]!, verifier));
    }
    return results.filter((r): r is JobResult => r !== undefined);
  }

  /**
   * Ends the threads; settles once every one has gone. A thread told that its jobs are done ends
   * itself, as its cache is a file written as it exits (one not gone within seconds is ended here);
   * the others (a pool started in case it was needed, a run aborted or failed) are ended at once.
   */
  close(): Promise<void> {
    return Promise.all(
      this.threads.map(async ({ worker, ending }) => {
        if (!worker) return;
        if (!ending) return void (await worker.terminate().catch(() => undefined));
        const gone = new Promise((resolve) => worker.once('exit', resolve));
        if (worker.threadId < 0) return; // already gone
        const late = setTimeout(() => void worker.terminate(), 5_000);
        late.unref();
        await gone;
        clearTimeout(late);
      }),
    ).then(() => undefined);
  }
}

/**
 * Runs verification jobs, spread over worker threads when there are enough
 * of them. Results come back in job order.
 */
export async function runJobs(
  jobs: readonly VerifyJob[],
  verifier: SignatureVerifier,
  options: RunJobsOptions = {},
): Promise<JobResult[]> {
  const pool = new VerifyPool(verifier, workersFor(jobs.length, options.workers), options.workerScript);
  try {
    return await pool.run(jobs, verifier, options);
  } finally {
    await pool.close();
  }
}

/** The worker's entry point: the source file under Node's type stripping, in dist/ the launcher that runs the bundle with its code cache. */
function workerScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('./worker.ts', here) : new URL('./verify-worker-start.js', here);
}
