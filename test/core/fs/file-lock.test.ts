import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstat, readFile, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { withFileLock } from '../../../src/core/fs/file-lock.ts';
import { processState } from '../../../src/core/fs/process-state.ts';
import { isAamError } from '../../../src/core/errors.ts';
import { tempDir } from '../../helpers/temp.ts';

describe('file locks', () => {
  it('serves waiters in this process first come, first served, one at a time', async () => {
    const lock = join(await tempDir('aam-lock-'), '.lock');
    const order: number[] = [];
    let inside = 0;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        withFileLock(lock, async () => {
          inside++;
          assert.equal(inside, 1, 'two holders at once');
          order.push(i);
          await new Promise((resolve) => setTimeout(resolve, 2));
          inside--;
        }),
      ),
    );
    assert.deepEqual(
      order,
      Array.from({ length: 12 }, (_, i) => i),
    );
  });

  it('releases the lock when the work fails, and the next waiter still runs', async () => {
    const lock = join(await tempDir('aam-lock-'), '.lock');
    const failing = withFileLock(lock, async () => {
      throw new Error('boom');
    });
    const next = withFileLock(lock, async () => 'ran');
    await assert.rejects(failing, /boom/);
    assert.equal(await next, 'ran');
  });

  it('takes over a lock whose owner was killed', async () => {
    const dir = await tempDir('aam-lock-');
    const lock = join(dir, '.lock');
    // A process that takes the lock and is killed while holding it.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      import { withFileLock } from ${JSON.stringify(new URL('../../../src/core/fs/file-lock.ts', import.meta.url).href)};
      await withFileLock(${JSON.stringify(lock)}, async () => { process.stdout.write('held\\n'); await new Promise(() => {}); });
    `,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.match(await readFile(lock, 'utf8'), new RegExp(`"pid":${child.pid}`));
    assert.equal(await withFileLock(lock, async () => 'mine', { timeoutMs: 5_000 }), 'mine');
  });

  it('gives up with REGISTRY_BUSY only while one live holder keeps the lock', async () => {
    const lock = join(await tempDir('aam-lock-'), '.lock');
    // A lock held by this (live) process that never lets go.
    await writeFile(
      lock,
      JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), at: Date.now() }),
    );
    await assert.rejects(
      withFileLock(lock, async () => 'never', { timeoutMs: 300 }),
      (error) => isAamError(error, 'REGISTRY_BUSY'),
    );
  });

  it('takes over a lock whose holder is a zombie (exited, never reaped)', async () => {
    const lock = join(await tempDir('aam-lock-'), '.lock');
    // A background child of a shell that then becomes `sleep 60`, which never reaps it. The child exits only
    // once the shell is `sleep` ($$ is the shell's pid in the subshell too): a child that exited before the
    // exec (a loaded machine) was reaped by the shell, and the test saw no zombie.
    const script = '(while [ "$(cat /proc/$$/comm)" != sleep ]; do sleep 0.01; done) & echo $!; exec sleep 60';
    const parent = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(
        await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(String(d)))),
      );
      for (let i = 0; i < 500 && processState(pid) !== 'zombie'; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(processState(pid), 'zombie');
      await writeFile(lock, JSON.stringify({ pid, host: hostname(), at: Date.now() }));
      assert.equal(await withFileLock(lock, async () => 'mine', { timeoutMs: 2_000 }), 'mine');
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('takes over a lock a repository committed as a link (to /dev/zero), never reading through it', async () => {
    const dir = await tempDir('aam-lock-');
    const lock = join(dir, '.install.lock');
    await symlink('/dev/zero', lock);
    const before = process.memoryUsage().rss;
    const started = performance.now();
    assert.equal(await withFileLock(lock, async () => 'held', { timeoutMs: 5_000 }), 'held');
    assert.ok(performance.now() - started < 2_000, 'took over at once');
    assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'read nothing through the link');
    assert.equal((await lstat(lock).catch(() => undefined)) === undefined, true, 'released (the link is gone too)');
  });
});
