import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../errors.ts';
import { runJob } from './job.ts';
import type { WorkerReply, WorkerRequest } from './pool.ts';
import { verifierFromSettings } from './signature-verifier.ts';
import type { VerifierSettings } from './signature-verifier.ts';

/**
 * A verification worker: one verifier (trust material built once per
 * thread), jobs in order, one reply per batch.
 */
const verifier = verifierFromSettings((workerData as { settings: VerifierSettings }).settings);
const port = parentPort!;
let queue = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  // Batches one after the other: the first one's results go back before the second starts.
  queue = queue.then(async () => {
    const outcomes: WorkerReply['outcomes'] = [];
    for (const job of request.jobs) {
      try {
        outcomes.push({ result: await runJob(job, verifier) });
      } catch (error) {
        outcomes.push({ error: messageOf(error) });
      }
    }
    port.postMessage({ first: request.first, outcomes } satisfies WorkerReply);
  });
});
