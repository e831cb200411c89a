import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { installPackages } from '../../../src/core/workflows/install/install.ts';
import { readLockFile } from '../../../src/core/lockfile/lockfile.ts';
import { AskedLeanKeys } from '../../../src/core/openpgp/lean-keys.ts';
import type { LeanKey } from '../../../src/core/openpgp/lean-keys.ts';
import { publishPackage } from '../../../src/core/workflows/publish.ts';
import { runJobs } from '../../../src/core/verify/threads/pool.ts';
import type { FromWorker, ToWorker } from '../../../src/core/verify/threads/pool.ts';
import type { SignatureVerifier } from '../../../src/core/signature/verifier.ts';
import { makeWorld } from '../../helpers/workspace.ts';
import { pgpPublisher } from '../../helpers/pgp-publisher.ts';
import { jobFor, withoutTimes } from '../../helpers/verify-jobs.ts';

describe('OpenPGP keys on verification threads', () => {
  it('are asked of the starting thread, with the same verdicts as there, valid or not', async () => {
    const w = await makeWorld();
    const { imported, signing } = await pgpPublisher(w, (fingerprint) => `trusted_keys: ["${fingerprint}"]`);
    const services = await w.services();
    const names = ['@pgp/one', '@pgp/two'];
    for (const name of names) {
      await publishPackage({
        packageDir: await w.makePackage(name, '1.0.0'),
        registry: w.registry,
        verifier: services.verifier,
        signing,
      });
    }
    await installPackages(names, { ...services, registry: w.registry });
    const lock = await readLockFile(services.workspace.lockFile);
    const jobs = Array.from({ length: 60 }, (_, i) => names[i % 2]!).map((name) =>
      jobFor(services, name, lock.packages[name]!),
    );
    /** The verifier, counting the key questions its threads ask; `answer: false` answers none of them. */
    const counting = (verifier: SignatureVerifier, answer = true) => {
      const counted = {
        verifier: {
          ...verifier,
          leanKey: async (keyId: string, at: Date) => (
            counted.asked++,
            answer ? verifier.leanKey(keyId, at) : undefined
          ),
        },
        asked: 0,
      };
      return counted;
    };

    // Prefetching is a hint: nonsense and keys nobody has are ignored, and fail nothing.
    services.verifier.prefetchKeys(['not a fingerprint', '0'.repeat(40), imported!.fingerprint]);
    const here = (await runJobs(jobs, services.verifier, { workers: 0 })).map(withoutTimes);
    assert.equal(here[0]!.checks.signature.state, 'valid');
    const signer = here[0]!.checks.signature.state === 'valid' ? here[0]!.checks.signature.signer : undefined;
    assert.equal(signer?.type === 'gpg' && signer.fingerprint, imported!.fingerprint);
    const asking = counting(services.verifier);
    assert.deepEqual((await runJobs(jobs, asking.verifier, { workers: 2 })).map(withoutTimes), here);
    assert.ok(asking.asked > 0, 'the threads asked this thread for the key');
    // A thread whose question goes unanswered asks openpgp.js itself, and comes to the same verdict.
    const unanswered = counting(services.verifier, false);
    assert.deepEqual((await runJobs(jobs, unanswered.verifier, { workers: 2 })).map(withoutTimes), here);
    assert.ok(unanswered.asked > 0);
    // The same with the shipped worker (its launcher, which runs the bundle with its code cache), which loads
    // openpgp.js from a bundle of its own through that launcher (npm test builds dist/ first).
    const bundled = new URL('../../../dist/verify-worker-start.js', import.meta.url);
    assert.ok(existsSync(bundled), 'dist/verify-worker-start.js is missing: run npm run build');
    assert.deepEqual(
      (await runJobs(jobs, services.verifier, { workers: 2, workerScript: bundled })).map(withoutTimes),
      here,
    );
    assert.deepEqual(
      (await runJobs(jobs, counting(services.verifier, false).verifier, { workers: 2, workerScript: bundled })).map(
        withoutTimes,
      ),
      here,
    );
    // A pool hands a job that fails in a worker back to this thread, so the bundle's own fallback is checked directly.
    const worker = new Worker(bundled, { workerData: { settings: services.verifier.settings } });
    try {
      const reply = await new Promise<FromWorker>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (message: FromWorker) => {
          if (message.kind === 'key')
            worker.postMessage({ kind: 'key', question: message.question, answer: undefined } satisfies ToWorker);
          else resolve(message);
        });
        worker.postMessage({ kind: 'jobs', first: 0, jobs: jobs.slice(0, 2) } satisfies ToWorker);
      });
      assert.equal(reply.kind, 'outcomes');
      const outcomes = reply.kind === 'outcomes' ? reply.outcomes : [];
      assert.deepEqual(
        outcomes.map((o) => ('result' in o ? withoutTimes(o.result) : o)),
        here.slice(0, 2),
      );
    } finally {
      await worker.terminate();
    }

    // Without the key, every thread says so, in the same words.
    await rm(join(w.home, '.aam', 'keys'), { recursive: true, force: true });
    const keyless = await w.services();
    const refusedHere = (await runJobs(jobs, keyless.verifier, { workers: 0 })).map(withoutTimes);
    assert.equal(refusedHere[0]!.checks.signature.state, 'invalid');
    assert.match(JSON.stringify(refusedHere[0]!.checks.signature), /KEY_UNKNOWN/);
    assert.deepEqual((await runJobs(jobs, keyless.verifier, { workers: 2 })).map(withoutTimes), refusedHere);
    await rm(w.root, { recursive: true, force: true });
  });

  it('remember a key once, and its validity once per interval between the instants written in it', async () => {
    const key: LeanKey = {
      keyId: '0123456789abcdef',
      algorithm: 27,
      jwk: null,
      created: 100_000,
      signer: { type: 'gpg', fingerprint: 'F', signingKeyFingerprint: 'F', userIds: [] },
      events: [100, 200],
    };
    const questions: string[] = [];
    const keys = new AskedLeanKeys(async (keyId, at) => {
      questions.push(`${keyId}@${at.getTime() / 1000}`);
      return keyId === key.keyId ? { key, valid: at.getTime() / 1000 < 200 } : undefined;
    });
    const at = (seconds: number) => new Date(seconds * 1000);
    assert.equal((await keys.find(key.keyId, at(150)))?.valid, true);
    assert.equal((await keys.find(key.keyId, at(199)))?.valid, true, 'same interval: remembered');
    assert.equal((await keys.find(key.keyId, at(200)))?.valid, false, 'an instant written in the key is always asked');
    assert.equal((await keys.find(key.keyId, at(200)))?.valid, false);
    assert.equal((await keys.find(key.keyId, at(300)))?.valid, false, 'a new interval is asked');
    assert.equal((await keys.find(key.keyId, at(250)))?.valid, false);
    assert.equal((await keys.find(key.keyId, at(50)))?.valid, true, 'before the key: its own interval');
    assert.equal(await keys.find('fedcba9876543210', at(150)), undefined);
    assert.equal(await keys.find('fedcba9876543210', at(250)), undefined, 'an unknown key is remembered as unknown');
    assert.deepEqual(questions, [
      `${key.keyId}@150`,
      `${key.keyId}@200`,
      `${key.keyId}@200`,
      `${key.keyId}@300`,
      `${key.keyId}@50`,
      'fedcba9876543210@150',
    ]);
  });
});
