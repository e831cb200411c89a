import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeWorld } from '../helpers/workspace.ts';
import { tempDir } from '../helpers/temp.ts';
import { settledCacheName } from '../helpers/code-cache.ts';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

/** `aam-trust ARGS` as a process of its own, with these variables. */
async function run(args: string[], cwd: string, home: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The name of dist/cli-verify.js's cache once the bundle has settled, for a run with these Node options. */
const cliCacheName = (options = '') =>
  settledCacheName(join(import.meta.dirname, '..', '..', 'dist', 'cli-verify.js'), options);

async function codeFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.code'));
}

describe("aam-trust verify's code cache (dist/cli.js)", () => {
  it('is made by the first run that verifies, in a folder of its own only this user may write, and read by the next', async () => {
    const w = await makeWorld();
    const cache = await tempDir('aam-code-cache-');
    const env = { NODE_COMPILE_CACHE: cache };
    const file = await cliCacheName();
    const plain = await run(['verify', '--json'], w.project, w.home, { NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.deepEqual(await codeFiles(join(cache, 'aam-trust')), [], 'NODE_DISABLE_COMPILE_CACHE makes none');

    const help = await run(['verify', '--help'], w.project, w.home, env);
    assert.equal(help.code, 0);
    assert.deepEqual(await codeFiles(join(cache, 'aam-trust')), [], '--help compiles too little to keep');

    const first = await run(['verify', '--json'], w.project, w.home, env);
    assert.deepEqual(first, plain, 'the same run with and without the cache');
    const dir = join(cache, 'aam-trust');
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    // The bundle's own (the verification workers keep theirs beside it).
    assert.ok((await codeFiles(dir)).includes(file), 'the cache is written');
    assert.match(
      file,
      new RegExp(
        `^${process.version.replaceAll('.', '\\.')}-${process.arch}-(?:[0-9a-f]+-\\d+|\\d+-\\d+-\\d+-\\d+-\\d+)\\.code$`,
      ),
    );
    const made = await stat(join(dir, file));
    assert.equal(made.mode & 0o777, 0o600);

    const second = await run(['verify', '--json'], w.project, w.home, env);
    assert.deepEqual(second, plain);
    assert.equal((await stat(join(dir, file))).mtimeMs, made.mtimeMs, 'an accepted cache is not written again');

    // A cache V8 rejects (not its own) is made again.
    await writeFile(join(dir, file), 'not a code cache', { mode: 0o600 });
    assert.deepEqual(await run(['verify', '--json'], w.project, w.home, env), plain);
    assert.ok((await readFile(join(dir, file))).length > 1024, 'the rejected cache is replaced');
  });

  it('keeps a cache of its own for runs with other Node options, whose V8 flags would reject the plain one', async () => {
    const w = await makeWorld();
    const cache = await tempDir('aam-code-cache-');
    const dir = join(cache, 'aam-trust');
    const env = { NODE_COMPILE_CACHE: cache };
    const flagged = { ...env, NODE_OPTIONS: '--jitless' };
    const [file, other] = [await cliCacheName(), await cliCacheName('--jitless')];
    assert.notEqual(file, other);
    const plain = await run(['verify', '--json'], w.project, w.home, env);
    const made = await readFile(join(dir, file));
    // Each run its own, and each read by the next run like it: neither written again.
    assert.deepEqual(await run(['verify', '--json'], w.project, w.home, flagged), plain);
    assert.ok((await codeFiles(dir)).includes(other), 'the run with options writes a cache of its own');
    const made2 = await stat(join(dir, other));
    assert.deepEqual(await run(['verify', '--json'], w.project, w.home, env), plain);
    assert.deepEqual(await run(['verify', '--json'], w.project, w.home, flagged), plain);
    assert.deepEqual(await readFile(join(dir, file)), made, "the plain runs' cache is left as they made it");
    assert.equal((await stat(join(dir, other))).mtimeMs, made2.mtimeMs, 'the flagged runs read theirs');
  });

  it("keeps the 16 newest caches when it writes one, and removes a killed run's partial file after an hour", async () => {
    const w = await makeWorld();
    const cache = await tempDir('aam-code-cache-');
    const dir = join(cache, 'aam-trust');
    await mkdir(dir, { mode: 0o700 });
    const file = await cliCacheName();
    const hour = 3_600;
    const now = Date.now() / 1000;
    // Caches of earlier builds, written 1 to 20 days ago: old-01 is the newest.
    const old = Array.from({ length: 20 }, (_, i) => `v0.0.0-x64-old-${String(i + 1).padStart(2, '0')}.code`);
    for (const [i, name] of old.entries()) {
      await writeFile(join(dir, name), 'an earlier build', { mode: 0o600 });
      await utimes(join(dir, name), now - (i + 1) * 24 * hour, now - (i + 1) * 24 * hour);
    }
    const deadPartial = `${old[0]}.4242-0`;
    const livePartial = `${old[1]}.4343-1`;
    for (const [name, age] of [
      [deadPartial, 2 * hour],
      [livePartial, 60],
    ] as const) {
      await writeFile(join(dir, name), 'partial', { mode: 0o600 });
      await utimes(join(dir, name), now - age, now - age);
    }
    await writeFile(join(dir, 'notes.txt'), 'not a cache');

    const result = await run(['verify', '--json'], w.project, w.home, { NODE_COMPILE_CACHE: cache });
    assert.equal(result.code, 0, result.stderr);
    const left = await readdir(dir);
    const caches = left.filter((name) => name.endsWith('.code'));
    assert.ok(caches.includes(file), 'the new cache is kept');
    assert.equal(caches.length, 16, caches.join(' '));
    // One cache or two written (the bundle's, and a worker's if the run started one): the oldest go.
    for (const name of old.slice(0, 14)) assert.ok(left.includes(name), `${name} is among the newest`);
    for (const name of old.slice(15)) assert.ok(!left.includes(name), `${name} is removed`);
    assert.ok(!left.includes(deadPartial), 'a partial file two hours old is removed');
    assert.ok(left.includes(livePartial), 'a partial file a minute old may be a run still writing it');
    assert.ok(left.includes('notes.txt'), 'what is not a cache is left alone');

    // A run that finds its cache writes nothing and removes nothing.
    await writeFile(join(dir, old[19]!), 'written back', { mode: 0o600 });
    await utimes(join(dir, old[19]!), now - 30 * 24 * hour, now - 30 * 24 * hour);
    assert.equal((await run(['verify', '--json'], w.project, w.home, { NODE_COMPILE_CACHE: cache })).code, 0);
    assert.ok((await readdir(dir)).includes(old[19]!));
  });

  it('does not keep it in a folder others may write to', async () => {
    const w = await makeWorld();
    const cache = await tempDir('aam-code-cache-');
    const dir = join(cache, 'aam-trust');
    await mkdir(dir);
    await chmod(dir, 0o777);
    const result = await run(['verify', '--json'], w.project, w.home, { NODE_COMPILE_CACHE: cache });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await codeFiles(dir), []);
  });
});

describe('the bundles the launcher runs as scripts (dist/cli.js)', () => {
  it('are ASCII, so that V8 keeps each as a one-byte string', async () => {
    for (const name of ['cli-verify.js', 'openpgp.js']) {
      const bytes = await readFile(join(import.meta.dirname, '..', '..', 'dist', name));
      assert.equal(
        bytes.findIndex((byte) => byte > 0x7f),
        -1,
        `${name} has a byte outside ASCII`,
      );
    }
  });
});
