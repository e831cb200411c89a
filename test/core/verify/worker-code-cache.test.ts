import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { installPackages } from '../../../src/core/workflows/install/install.ts';
import { runJobs, VerifyPool } from '../../../src/core/verify/threads/pool.ts';
import { readLockFile } from '../../../src/core/lockfile/lockfile.ts';
import { signedWorld } from '../../helpers/signed-world.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';
import { tempDir } from '../../helpers/temp.ts';
import { jobFor, withoutTimes } from '../../helpers/verify-jobs.ts';
import { settledCacheName } from '../../helpers/code-cache.ts';

/** The shipped worker's launcher (npm test builds dist/ first), and the bundle it runs. */
const LAUNCHER = new URL('../../../dist/verify-worker-start.js', import.meta.url);
const BUNDLE = fileURLToPath(new URL('../../../dist/verify-worker.js', import.meta.url));

/** The worker bundle's cache files in a NODE_COMPILE_CACHE folder (named once the bundle has settled). */
async function workerCaches(cache: string): Promise<string[]> {
  const name = await settledCacheName(BUNDLE);
  const files = await readdir(join(cache, 'aam-trust')).catch(() => [] as string[]);
  return files.filter((file) => file === name);
}

/** Runs the jobs on this thread and one worker started with NODE_COMPILE_CACHE (and more) set as given. */
async function withEnv<T>(env: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const set = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values))
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  };
  set(env);
  try {
    return await run();
  } finally {
    set(saved);
  }
}

describe("verification workers' code cache (dist/verify-worker-start.js)", () => {
  const local = useLocalSigstore();

  it('is made by a worker that ran jobs, read by the next, and a corrupt or stale one is made again, the verdicts the same', async () => {
    assert.ok(existsSync(LAUNCHER), 'dist/verify-worker-start.js is missing: run npm run build');
    const w = await signedWorld(local.instance(), 'trusted_identities: ["*@example.com"]');
    await w.publish('@acme/one', '1.0.0', 'alice@example.com');
    const services = await w.services();
    await installPackages(['@acme/one'], { ...services, registry: w.registry });
    const entry = (await readLockFile(services.workspace.lockFile)).packages['@acme/one']!;
    const job = jobFor(services, '@acme/one', entry);
    // Enough jobs that the worker takes some (this thread takes jobs too while it boots).
    const jobs = Array.from({ length: 200 }, () => job);
    const here = (await runJobs(jobs, services.verifier, { workers: 0 })).map(withoutTimes);
    assert.equal(here[0]!.checks.signature.state, 'valid');
    const cache = await tempDir('aam-worker-cache-');
    const threads = (env: Record<string, string | undefined>) =>
      withEnv(env, async () =>
        (
          await runJobs(jobs, services.verifier, {
            workers: 1,
            workerScript: LAUNCHER,
            onFallback: (why) => assert.fail(`the worker failed: ${why}`),
          })
        ).map(withoutTimes),
      );
    const env = { NODE_COMPILE_CACHE: cache, NODE_DISABLE_COMPILE_CACHE: undefined };

    assert.deepEqual(await threads({ ...env, NODE_DISABLE_COMPILE_CACHE: '1' }), here);
    assert.deepEqual(await workerCaches(cache), [], 'NODE_DISABLE_COMPILE_CACHE makes none');

    // A pool whose worker ran no job ends it without a cache: it compiled too little to keep.
    await withEnv(env, async () => {
      const idle = new VerifyPool(services.verifier, 1, LAUNCHER);
      assert.deepEqual(await idle.run([], services.verifier), []);
      idle.close();
    });
    assert.deepEqual(await workerCaches(cache), [], 'a worker that ran nothing keeps nothing');

    assert.deepEqual(await threads(env), here, 'the same verdicts with the cache being made');
    const dir = join(cache, 'aam-trust');
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    const [file] = await workerCaches(cache);
    assert.ok(file, 'the worker wrote its cache');
    assert.match(file, new RegExp(`^${process.version.replaceAll('.', '\\.')}-${process.arch}-`));
    const path = join(dir, file);
    const made = await stat(path);
    assert.equal(made.mode & 0o777, 0o600);
    assert.ok(made.size > 100_000, `a cache of the whole run (${made.size} bytes)`);
    assert.deepEqual(
      await readdir(dir).then((names) => names.filter((n) => !n.endsWith('.code'))),
      [],
      'no partial file left',
    );

    assert.deepEqual(await threads(env), here, 'the same verdicts read from the cache');
    assert.equal((await stat(path)).mtimeMs, made.mtimeMs, 'an accepted cache is not written again');

    // Corrupt, truncated, or V8's cache of another script (stale): rejected, the worker still verifies, and it is made again.
    const valid = await readFile(path);
    for (const [what, bytes] of [
      ['corrupt', Buffer.from('not a code cache')],
      ['truncated', valid.subarray(0, valid.length >> 1)],
      ['stale', new Script('globalThis.other = 1;').createCachedData()],
    ] as const) {
      await writeFile(path, bytes, { mode: 0o600 });
      assert.deepEqual(await threads(env), here, `the same verdicts with a ${what} cache`);
      assert.ok((await readFile(path)).length > 100_000, `the ${what} cache is replaced`);
    }
  });
});
