import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processState } from '../../src/core/fs/process-state.ts';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import { checkRegistryLog } from '../../src/core/registry/registry-check.ts';
import { startRegistryServer } from '../../src/server/serve.ts';
import { operatorToken, packPackage, serveProcess, UNLIMITED_FLAGS } from '../helpers/registry.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * A process that has exited but that its parent never reaps: `sleep 60` exec'd over the shell that started it.
 * The child exits only once its parent is that `sleep` (its /proc comm says so): one that exits sooner, on a
 * loaded machine, can be reaped by the shell before the exec, and there is no zombie to see.
 */
async function zombie(): Promise<{ pid: number; stop: () => void }> {
  const script = 'p=$$; (until [ "$(cat /proc/$p/comm)" = sleep ]; do sleep 0.01; done) & echo $!; exec sleep 60';
  const parent = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = Number(
    await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(String(d)))),
  );
  for (let i = 0; i < 500 && processState(pid) !== 'zombie'; i++) await new Promise((r) => setTimeout(r, 20));
  return { pid, stop: () => parent.kill('SIGKILL') };
}

/** A pid that named a process a moment ago and names none now. */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

describe('crash safety', () => {
  it('sees a zombie as dead, and a reused pid as another process', async () => {
    const z = await zombie();
    try {
      assert.equal(processState(z.pid), 'zombie');
      // kill(pid, 0) — what the lock used to ask — still succeeds for it.
      assert.doesNotThrow(() => process.kill(z.pid, 0));
    } finally {
      z.stop();
    }
    assert.equal(processState(process.pid), 'alive');
    assert.equal(processState(process.pid, 'not its start time'), 'gone');
    assert.equal(processState(deadPid()), 'gone');
  });

  it("takes over the serve lock of a zombie, saying so, and refuses a live holder's", async () => {
    const dataDir = join(await tempDir('aam-lock-'), 'data');
    await mkdir(dataDir, { recursive: true });
    const z = await zombie();
    const notices: string[] = [];
    try {
      const lock = { pid: z.pid, host: hostname(), url: 'http://127.0.0.1:1', admin_key: 'x' };
      await writeFile(join(dataDir, 'serving.json'), JSON.stringify(lock));
      // By hand, not test/helpers/registry.ts: the test is the lock file in a folder it prepared, held by a zombie.
      const server = await startRegistryServer({ dataDir, notice: (m) => notices.push(m), checkResponses: true });
      try {
        assert.match(notices.join('\n'), new RegExp(`process ${z.pid}, which held it, has exited \\(a zombie`));
        await assert.rejects(startRegistryServer({ dataDir }), (error: Error) => {
          assert.match(error.message, new RegExp(`already served by process ${process.pid} at ${server.url}`));
          return true;
        });
      } finally {
        await server.close();
      }
    } finally {
      z.stop();
    }
  });

  it('removes at start the temporary key and lock files a killed start left, and nothing else', async () => {
    const dataDir = join(await tempDir('aam-start-sweep-'), 'data');
    await mkdir(join(dataDir, 'sub'), { recursive: true });
    const dead = deadPid();
    const left = [`registry-key.pem.${dead}.0a1b2c3d.tmp`, `serving.json.${dead}.deadbeef.tmp`];
    // A live writer's (this process's parent), other forms, and a subfolder's: all kept.
    const kept = [
      `serving.json.${process.ppid}.0a1b2c3d.tmp`,
      `registry-key.pem.${dead}.0a1b2c3d.tmp.bak`,
      `other.pem.${dead}.0a1b2c3d.tmp`,
      `serving.json.${dead}.XYZ.tmp`,
      join('sub', `serving.json.${dead}.deadbeef.tmp`),
    ];
    for (const name of [...left, ...kept]) await writeFile(join(dataDir, name), 'x');
    const notices: string[] = [];
    const server = await startRegistryServer({ dataDir, notice: (m) => notices.push(m) });
    try {
      assert.match(notices.join('\n'), /Removed 2 temporary files left in .* by a start that did not finish/);
      const now = await readdir(dataDir, { recursive: true });
      for (const name of left) assert.ok(!now.includes(name), `${name} is removed`);
      for (const name of kept) assert.ok(now.includes(name), `${name} is kept`);
    } finally {
      await server.close();
    }
  });

  it('SIGKILL at random points of publishes: each version whole or absent, no temporary file, the audit chain verifies', async () => {
    const root = await tempDir('aam-crash-');
    const data = join(root, 'data');
    const args = ['--data', data, '--name', 'team', ...UNLIMITED_FLAGS];
    const outputs: string[] = [];
    let attempted = 0;
    const archives = new Map<string, Buffer>();
    for (let round = 0; round < 4; round++) {
      const server = await serveProcess(args);
      const token = await operatorToken(['--data', data, '--user', 'alice']);
      const client = new HttpRegistry('team', server.url, { token: async () => token, attempts: 1 });
      const publishes = [];
      for (let i = 0; i < 3; i++) {
        const version = `1.${round}.${i}`;
        // Large enough that writing its blob takes a while: some kills land in the middle of one.
        const archive = await packPackage('@crash/pkg', version, { body: randomBytes(1_500_000).toString('base64') });
        archives.set(version, archive);
        attempted++;
        publishes.push(client.publish(archive, []).catch(() => undefined));
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1_500));
      server.process.kill('SIGKILL');
      await new Promise((resolve) => server.process.once('exit', resolve));
      await Promise.all(publishes);
      outputs.push(server.output());
    }
    // A temporary file of a writer that is gone, as a kill in the middle of a blob write leaves it.
    const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
    await mkdir(join(data, 'blobs', '.tmp'), { recursive: true });
    await writeFile(join(data, 'blobs', '.tmp', `${'a'.repeat(64)}.${host}.${deadPid()}.x.0123ab.tmp`), 'half');

    const server = await serveProcess(args);
    try {
      assert.match(server.output(), /Taking over .*serving\.json: process \d+, which held it, is gone/);
      assert.match(server.output(), /Removed \d+ temporary files? left by a blob write that did not finish/);
      assert.deepEqual(await readdir(join(data, 'blobs', '.tmp')), [], 'a temporary file survived the start');
      const token = await operatorToken(['--data', data, '--user', 'alice']);
      const client = new HttpRegistry('team', server.url, { token: async () => token, attempts: 1 });
      const listed = (await client.metadata('@crash/pkg'))?.versions ?? [];
      for (const { version } of listed) {
        // Whole: the bytes served are the bytes published (the client checks them against the checksum too).
        const served = await client.readArchive('@crash/pkg', version);
        assert.ok(served.equals(archives.get(version)!), `${version} is not what was published`);
      }
      const check = await checkRegistryLog(client, undefined);
      assert.ok(check.ok, check.reason);
      assert.equal(check.head?.size, listed.length, 'one audit entry per version that is there');
      // It still takes publishes.
      await client.publish(await packPackage('@crash/pkg', '9.0.0'), []);
      assert.ok(attempted >= 12);
    } finally {
      await server.stop();
    }
  });
});
