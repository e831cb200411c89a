import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { installPackages } from '../../../src/core/workflows/install/install.ts';
import { readLockFile } from '../../../src/core/lockfile/lockfile.ts';
import { VerifyPool } from '../../../src/core/verify/threads/pool.ts';
import { signedWorld } from '../../helpers/signed-world.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';
import { jobFor } from '../../helpers/verify-jobs.ts';

/**
 * The CLI's launcher starts verification threads before it loads the rest (scripts/launchers.ts), without
 * settings; the pool adopts them (early-workers.ts). Here the real worker, started the way the launcher
 * starts it, does the jobs it is handed with the settings sent after it booted.
 */
const WORKER = new URL('../../../src/core/verify/threads/worker.ts', import.meta.url);
const EARLY = Symbol.for('aam-trust.early-verify-workers');
const setEarly = (workers: Worker[]) => ((globalThis as { [EARLY]?: Worker[] })[EARLY] = workers);

function early(script: URL = WORKER): Worker {
  const worker = new Worker(script);
  worker.unref();
  worker.on('error', () => undefined);
  return worker;
}

describe('verification threads started early by the launcher', () => {
  const local = useLocalSigstore();

  async function world() {
    const w = await signedWorld(local.instance(), 'trusted_identities: ["*@example.com"]');
    await w.publish('@acme/one', '1.0.0', 'alice@example.com');
    const services = await w.services();
    await installPackages(['@acme/one'], { ...services, registry: w.registry });
    const entry = (await readLockFile(services.workspace.lockFile)).packages['@acme/one']!;
    return { services, jobs: Array.from({ length: 120 }, () => jobFor(services, '@acme/one', entry)) };
  }

  it(
    'are adopted, given the settings, and verify as a thread started with them does',
    { timeout: 90_000 },
    async () => {
      const { services, jobs } = await world();
      const adopted = early();
      const spare = early();
      const spareGone = once(spare, 'exit');
      setEarly([adopted, spare]);
      const exited = once(adopted, 'exit');
      const pool = new VerifyPool(services.verifier, 1, WORKER);
      try {
        assert.equal(pool.size, 1);
        assert.equal((globalThis as { [EARLY]?: Worker[] })[EARLY], undefined, 'taken once');
        const results = await pool.run(jobs, services.verifier);
        assert.equal(results.length, jobs.length);
        for (const r of results) assert.equal(r.checks.signature.state, 'valid');
      } finally {
        await pool.close();
      }
      // A thread exits 0 only when it ran jobs (worker.ts): the adopted one did, with the settings it was sent.
      assert.deepEqual(await exited, [0]);
      // The one the pool did not need was ended.
      await spareGone;
    },
  );

  it('that ended before they were adopted are replaced, and no job is lost', { timeout: 90_000 }, async () => {
    const { services, jobs } = await world();
    const dead = early(new URL(`data:text/javascript,${encodeURIComponent("throw new Error('boot failed')")}`));
    // (events.once would reject on the 'error' before it.)
    await new Promise((resolve) => dead.on('exit', resolve));
    assert.ok(dead.threadId < 0);
    setEarly([dead]);
    const pool = new VerifyPool(services.verifier, 1, WORKER);
    try {
      const results = await pool.run(jobs, services.verifier);
      assert.equal(results.length, jobs.length);
      for (const r of results) assert.equal(r.checks.signature.state, 'valid');
    } finally {
      await pool.close();
    }
  });

  it('are ended when the run needs no thread', async () => {
    const spare = early();
    const gone = once(spare, 'exit');
    setEarly([spare]);
    const { services } = await world();
    const pool = new VerifyPool(services.verifier, 0, WORKER);
    assert.equal(pool.size, 0);
    await gone;
    await pool.close();
  });
});
