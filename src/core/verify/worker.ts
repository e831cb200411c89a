import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../errors.ts';
import { runJob } from './job.ts';
import type { VerifyJob } from './job.ts';
import type { WorkerReply, WorkerRequest } from './pool.ts';
import { verifierFromSettings } from './signature-verifier.ts';
import type { VerifierSettings } from './signature-verifier.ts';

/**
 * A verification worker: one verifier (trust material built once per
 * thread), jobs in order, one reply per job.
 */
const verifier = verifierFromSettings((workerData as { settings: VerifierSettings }).settings);
const port = parentPort!;
port.on('message', (request: WorkerRequest) => {
  void (async () => {
    for (const [i, job] of request.jobs.entries()) {
      const id = request.first + i;
      let reply: WorkerReply;
      try {
        reply = { id, result: await runJob(job as VerifyJob, verifier) };
      } catch (error) {
        reply = { id, error: messageOf(error) };
      }
      port.postMessage(reply);
    }
  })();
});
