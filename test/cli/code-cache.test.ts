import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeWorld } from '../helpers/workspace.ts';
import { tempDir } from '../helpers/temp.ts';

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

/**
 * The name the launcher gives the cache of dist/cli-verify.js once the bundle
 * has settled (scripts/launchers.ts: Node's version and the bundle's stamp).
 * In the two seconds after a build it names the cache by the bundle's CRC
 * instead, and a run after that uses the other name: so this first waits for
 * the bundle to settle, or a test run right after `npm run build` would
 * corrupt one file and watch the launcher read the other.
 */
async function settledCacheName(): Promise<string> {
  const bundle = join(import.meta.dirname, '..', '..', 'dist', 'cli-verify.js');
  const wait = 2_100 - (Date.now() - (await stat(bundle)).ctimeMs);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const s = await stat(bundle);
  const stamp = `${s.dev}-${s.size}-${s.ino}-${Math.round(s.mtimeMs * 1e6)}-${Math.round(s.ctimeMs * 1e6)}`;
  return `${process.version}-${process.arch}-${stamp}.code`;
}

async function codeFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.code'));
}

describe("aam-trust verify's code cache (dist/cli.js)", () => {
  it('is made by the first run that verifies, in a folder of its own only this user may write, and read by the next', async () => {
    const w = await makeWorld();
    const cache = await tempDir('aam-code-cache-');
    const env = { NODE_COMPILE_CACHE: cache };
    const file = await settledCacheName();
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
