import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { runJob } from './job.ts';
import type { JobResult, VerifyJob } from './job.ts';
import type { SignatureVerifier } from './signature-verifier.ts';

export interface WorkerRequest {
  /** The id of the first job; the rest follow in order. */
  first: number;
  jobs: VerifyJob[];
}

export type WorkerReply = { id: number; result: JobResult } | { id: number; error: string };

export interface RunJobsOptions {
  /** Worker threads to use at most; 0 runs everything on this thread. Default: one per core. */
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
/** Jobs handed to a worker at a time: enough to keep it busy between messages, few enough to balance. */
const BATCH = 8;

/**
 * Runs verification jobs, spread over worker threads when there are enough
 * of them; each worker builds the trust material once. Results come back in
 * job order. A worker that cannot start or dies hands its jobs back to this
 * thread: a verification is never lost to the machinery.
 */
export async function runJobs(jobs: readonly VerifyJob[], verifier: SignatureVerifier, options: RunJobsOptions = {}): Promise<JobResult[]> {
  const results: (JobResult | undefined)[] = new Array(jobs.length);
  const wanted = Math.min(options.workers ?? availableParallelism(), Math.floor(jobs.length / MIN_JOBS_PER_WORKER));
  const done = (id: number, result: JobResult) => {
    results[id] = result;
    options.onResult?.(result);
  };
  let next = 0;
  const leftovers: number[] = [];
  if (wanted >= 1) {
    const script = options.workerScript ?? workerScript();
    await Promise.all(Array.from({ length: wanted }, () => new Promise<void>((resolve) => {
      let worker: Worker;
      try {
        worker = new Worker(script, { workerData: { settings: verifier.settings } });
      } catch (error) {
        options.onFallback?.(String(error));
        resolve();
        return;
      }
      const pending = new Set<number>();
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        leftovers.push(...pending);
        options.signal?.removeEventListener('abort', stop);
        void worker.terminate().then(() => resolve(), () => resolve());
      };
      const stop = () => finish();
      const feed = () => {
        if (options.signal?.aborted) return finish();
        if (pending.size > BATCH / 2) return;
        const first = next;
        const batch = jobs.slice(first, first + BATCH);
        next += batch.length;
        for (let i = 0; i < batch.length; i++) pending.add(first + i);
        if (batch.length > 0) worker.postMessage({ first, jobs: batch } satisfies WorkerRequest);
        else if (pending.size === 0) finish();
      };
      options.signal?.addEventListener('abort', stop);
      worker.on('message', (reply: WorkerReply) => {
        pending.delete(reply.id);
        if ('error' in reply) {
          // Not a verdict: the job failed inside the worker. Run it here, where an error reaches the caller.
          leftovers.push(reply.id);
        } else done(reply.id, reply.result);
        feed();
      });
      worker.on('error', (error) => {
        options.onFallback?.(error.message);
        finish();
      });
      worker.on('exit', () => finish());
      feed();
    })));
  }
  if (options.signal?.aborted) return results.filter((r): r is JobResult => r !== undefined);
  // What no worker took or finished, in order, on this thread.
  const remaining = [...leftovers, ...Array.from({ length: jobs.length - next }, (_, i) => next + i)].sort((a, b) => a - b);
  for (const id of remaining) {
    if (options.signal?.aborted) break;
    done(id, await runJob(jobs[id]!, verifier));
  }
  return results.filter((r): r is JobResult => r !== undefined);
}

/** The worker's entry point: the source file under Node's type stripping, the bundled file in dist/. */
function workerScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('./worker.ts', here) : new URL('./verify-worker.js', here);
}
