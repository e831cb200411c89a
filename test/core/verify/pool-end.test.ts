import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installPackages } from '../../../src/core/workflows/install/install.ts';
import { readLockFile } from '../../../src/core/lockfile/lockfile.ts';
import { batchOf, VerifyPool } from '../../../src/core/verify/threads/pool.ts';
import { signedWorld } from '../../helpers/signed-world.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';
import { jobFor } from '../../helpers/verify-jobs.ts';

/**
 * A worker that answers at once, each outcome naming its batch, and that exits, once told its jobs
 * are done, only when the file AAM_TEST_GATE names exists.
 */
const GATED_WORKER = new URL(
  `data:text/javascript,${encodeURIComponent(`
import { existsSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
const gate = process.env.AAM_TEST_GATE;
parentPort.on('message', (message) => {
  if (message.kind === 'jobs')
    parentPort.postMessage({
      kind: 'outcomes',
      first: message.first,
      outcomes: message.jobs.map(() => ({ result: { name: 'batch', first: message.first, size: message.jobs.length } })),
    });
  if (message.kind === 'end') {
    const wait = () => (existsSync(gate) ? process.exit(0) : setTimeout(wait, 10));
    wait();
  }
});`)}`,
);

describe('the verification pool at the end of a run', () => {
  const local = useLocalSigstore();

  it('hands out batches of 8 while many jobs are left and single jobs at the end', () => {
    assert.equal(batchOf(1000), 8);
    assert.equal(batchOf(64), 8);
    assert.equal(batchOf(40), 5);
    for (let left = 1; left < 16; left++) assert.equal(batchOf(left), 1, `${left} left`);
  });

  it('returns every result while a thread is still exiting', { timeout: 60_000 }, async () => {
    const w = await signedWorld(local.instance(), 'trusted_identities: ["*@example.com"]');
    await w.publish('@acme/one', '1.0.0', 'alice@example.com');
    const services = await w.services();
    await installPackages(['@acme/one'], { ...services, registry: w.registry });
    const entry = (await readLockFile(services.workspace.lockFile)).packages['@acme/one']!;
    const jobs = Array.from({ length: 200 }, () => jobFor(services, '@acme/one', entry));
    const gate = join(w.root, 'gate');
    process.env.AAM_TEST_GATE = gate;
    const pool = new VerifyPool(services.verifier, 1, GATED_WORKER);
    try {
      // Were the run to wait for the thread's exit, it would wait for the gate, which opens only after it.
      const results = await pool.run(jobs, services.verifier);
      assert.equal(results.length, jobs.length);
      const here = results.filter((r) => r.name === '@acme/one');
      assert.ok(here.length > 0, 'this thread verified some jobs itself');
      assert.equal(here[0]!.checks.signature.state, 'valid');
      const batches = new Map<number, number>();
      for (const r of results as unknown as { name: string; first: number; size: number }[])
        if (r.name === 'batch') batches.set(r.first, r.size);
      assert.ok(batches.size > 0, 'the worker took jobs');
      for (const [first, size] of batches) {
        const left = jobs.length - first;
        if (left >= 64) assert.equal(size, 8, `a batch with ${left} jobs left`);
        if (left < 16) assert.equal(size, 1, `a batch with ${left} jobs left`);
      }
      assert.ok(
        [...batches.keys()].some((first) => jobs.length - first < 16),
        'the worker was handed some of the last jobs',
      );
    } finally {
      await writeFile(gate, '');
      // The thread then exits on its own (a close that ended it instead is caught by worker-code-cache.test.ts).
      await pool.close();
      delete process.env.AAM_TEST_GATE;
    }
  });
});
