import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../../errors.ts';
import { AskedLeanKeys } from '../../openpgp/lean-keys.ts';
import { runJob } from '../checks/job.ts';
import type { FromWorker, KeyAnswer, ToWorker, WorkerReply, WorkerRequest } from './pool.ts';
import { verifierFromSettings } from '../../signature/verifier.ts';
import type { VerifierSettings } from '../../signature/verifier.ts';

/**
 * A verification worker: one verifier (trust material built once per
 * thread), jobs in order, one reply per batch. OpenPGP keys for the fast
 * path are asked of the thread that started it, which has them loaded.
 */
const port = parentPort!;
const questions = new Map<number, (answer: KeyAnswer['answer']) => void>();
let asked = 0;
const leanKeys = new AskedLeanKeys(
  (keyId, at) =>
    new Promise((resolve) => {
      const question = ++asked;
      questions.set(question, resolve);
      port.postMessage({ kind: 'key', question, keyId, at: at.getTime() } satisfies FromWorker);
    }),
);
const verifier = verifierFromSettings((workerData as { settings: VerifierSettings }).settings, { leanKeys });
let queue = Promise.resolve();
let ranJobs = false;
port.on('message', (message: ToWorker) => {
  if (message.kind === 'end') {
    // Sent once every batch has been answered. Exiting (not being terminated) lets the launcher keep its code
    // cache, which it does on exit code 0 only: a thread that ran no job has compiled too little to keep.
    void queue.then(() => process.exit(ranJobs ? 0 : 1));
    return;
  }
  if (message.kind === 'key') {
    questions.get(message.question)?.(message.answer);
    questions.delete(message.question);
    return;
  }
  run(message);
});

function run(request: WorkerRequest): void {
  // Batches one after the other: the first one's results go back before the second starts.
  queue = queue.then(async () => {
    ranJobs = true;
    const outcomes: WorkerReply['outcomes'] = [];
    for (const job of request.jobs) {
      try {
        outcomes.push({ result: await runJob(job, verifier) });
      } catch (error) {
        outcomes.push({ error: messageOf(error) });
      }
    }
    port.postMessage({ kind: 'outcomes', first: request.first, outcomes } satisfies FromWorker);
  });
}
