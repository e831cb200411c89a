import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { parse } from 'yaml';
import { installPackages, recoverInstall } from '../../../src/core/workflows/install/install.ts';
import { readLockFile, workspacePaths } from '../../../src/core/lockfile/lockfile.ts';
import { importPublicKey } from '../../../src/core/openpgp/keyring.ts';
import { publishPackage } from '../../../src/core/workflows/publish.ts';
import { LocalRegistry } from '../../../src/core/registry/local-registry.ts';
import { random } from '../../helpers/bundle-mutations.ts';
import { makeWorld } from '../../helpers/workspace.ts';
import type { TestWorld } from '../../helpers/workspace.ts';

/** Kills per operation: a CI-sized run by default; `npm run fuzz` sets AAM_CRASH_RUNS (≥ 70 gives ≥ 200 in all). */
const RUNS = Number(process.env.AAM_CRASH_RUNS ?? 10);
const CHILD = join(import.meta.dirname, '..', '..', 'helpers', 'crash-child.ts');

/** Runs one operation in a child process; with `killAfterMs`, SIGKILLs it that long after it is ready. Resolves whether it finished. */
function runChild(
  op: string,
  spec: Record<string, string>,
  killAfterMs?: number,
): Promise<{ finished: boolean; ms: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, op, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let readyAt = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!readyAt && out.includes('ready\n')) {
        readyAt = performance.now();
        if (killAfterMs !== undefined) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const finished = out.includes('done\n');
      if (!finished && signal !== 'SIGKILL') reject(new Error(`${op} child failed (${code}): ${stderr}`));
      else resolve({ finished, ms: performance.now() - readyAt, stderr });
    });
  });
}

const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const tally = { runs: 0, killedMidway: 0, finishedBeforeKill: 0, halfWritten: 0, lost: 0 };

async function worldWithKey(): Promise<{ w: TestWorld; spec: Record<string, string> }> {
  const w = await makeWorld();
  const { privateKey, publicKey } = await generateKey({
    type: 'curve25519',
    userIDs: [{ name: 'Crash', email: 'crash@example.com' }],
    format: 'armored',
  });
  const keyFile = join(w.root, 'signing-key.asc');
  await writeFile(keyFile, privateKey);
  await importPublicKey(publicKey, join(w.home, '.aam', 'keys'));
  return { w, spec: { home: w.home, project: w.project, registry: w.registryDir, keyFile } };
}

describe(`crash safety: SIGKILL at random points (${RUNS} runs per operation)`, () => {
  const rand = random(99);

  it('a config edit leaves the old or the new file, and the next edit succeeds', async () => {
    const { w, spec } = await worldWithKey();
    const path = join(w.home, '.aam', 'config.yaml');
    await writeFile(path, '# team policy\nsecurity:\n  trusted_identities:\n    - first@example.com # keep me\n');
    const calibration = await runChild('config', { ...spec, path, value: 'calibrate@example.com' });
    for (let i = 0; i < RUNS; i++) {
      const old = await readFile(path, 'utf8');
      const value = `user${i}@example.com`;
      const { finished } = await runChild('config', { ...spec, path, value }, rand() * calibration.ms * 1.2);
      const now = await readFile(path, 'utf8');
      const expectedNew = old.replace(/\n$/, `\n    - ${value}\n`);
      tally.runs++;
      if (finished) tally.finishedBeforeKill++;
      else tally.killedMidway++;
      if (now !== old && !now.includes(value)) tally.halfWritten++;
      assert.ok(
        now === old || (now.includes(`- ${value}`) && now.includes('# keep me')),
        `run ${i}: neither old nor new:\n${now}\n(expected like)\n${expectedNew}`,
      );
      if (now === old) {
        const again = await runChild('config', { ...spec, path, value });
        assert.ok(again.finished);
        assert.ok((await readFile(path, 'utf8')).includes(`- ${value}`));
      }
      assert.ok(parse(await readFile(path, 'utf8')).security.trusted_identities.includes(value));
    }
  });

  it('a publish leaves the registry as before or with the version, index agreeing with metadata, and the next publish succeeds', async () => {
    const { w, spec } = await worldWithKey();
    const source = (version: string) => w.makePackage('@crash/pub', version);
    const calibration = await runChild('publish', { ...spec, packageDir: await source('0.0.1') });
    for (let i = 0; i < RUNS; i++) {
      const version = `1.0.${i}`;
      const packageDir = await source(version);
      const { finished } = await runChild('publish', { ...spec, packageDir }, rand() * calibration.ms * 1.2);
      tally.runs++;
      if (finished) tally.finishedBeforeKill++;
      else tally.killedMidway++;
      // Every file as written: readable YAML (old or new), never half a file.
      for (const file of [
        join(w.registryDir, 'index.yaml'),
        join(w.registryDir, 'packages', 'crash--pub', 'metadata.yaml'),
      ]) {
        if (existsSync(file)) assert.doesNotThrow(() => parse(readFileSync(file, 'utf8')), `${file} is half-written`);
      }
      // The next reader finishes an interrupted commit; then index and metadata agree, and every listed version is whole.
      const registry = new LocalRegistry('team', w.registryDir);
      const listed = await registry.list();
      const index = parse(await readFile(join(w.registryDir, 'index.yaml'), 'utf8')) as {
        packages: { name: string; latest: string }[];
      };
      assert.deepEqual(
        index.packages.map((p) => `${p.name}@${p.latest}`).sort(),
        listed.map((m) => `${m.name}@${m.dist_tags.latest}`).sort(),
        `run ${i}: index and metadata disagree`,
      );
      for (const metadata of listed) {
        for (const entry of metadata.versions) {
          const archive = await registry.readArchive(metadata.name, entry.version);
          assert.equal(
            sha256(archive),
            entry.checksum,
            `run ${i}: ${metadata.name}@${entry.version} archive does not match its metadata`,
          );
          for (const signature of entry.signatures ?? [])
            assert.ok(
              existsSync(join(w.registryDir, 'packages', 'crash--pub', 'versions', signature.file)),
              `run ${i}: signature file missing`,
            );
        }
      }
      const has = listed.some((m) => m.versions.some((v) => v.version === version));
      if (!has) {
        const again = await runChild('publish', { ...spec, packageDir });
        assert.ok(again.finished, again.stderr);
      }
    }
  });

  it('an install leaves the lock file and the package folder both old or both new, and the next install succeeds', async () => {
    const { w, spec } = await worldWithKey();
    const registry = new LocalRegistry('team', w.registryDir);
    const services = await w.services();
    for (let i = 0; i <= RUNS; i++) {
      await publishPackage({
        packageDir: await w.makePackage('@crash/inst', `2.0.${i}`, {
          'prompts/hello.md': `version 2.0.${i}\n`.repeat(2000),
        }),
        registry,
        verifier: services.verifier,
        signing: undefined,
      });
    }
    const workspace = workspacePaths(w.project);
    await installPackages(['@crash/inst@2.0.0'], { ...services, registry, workspace });
    const calibration = await runChild('install', { ...spec, name: '@crash/inst@2.0.0' });
    const installed = join(workspace.packagesDir, 'crash--inst', 'prompts', 'hello.md');
    for (let i = 1; i <= RUNS; i++) {
      const oldVersion = (await readLockFile(workspace.lockFile)).packages['@crash/inst']!.version;
      const { finished } = await runChild(
        'install',
        { ...spec, name: `@crash/inst@2.0.${i}` },
        rand() * calibration.ms * 1.2,
      );
      tally.runs++;
      if (finished) tally.finishedBeforeKill++;
      else tally.killedMidway++;
      // What the next operation does first: finish or undo the interrupted install.
      await recoverInstall(workspace);
      const lock = await readLockFile(workspace.lockFile);
      const version = lock.packages['@crash/inst']?.version;
      assert.ok(version === oldVersion || version === `2.0.${i}`, `run ${i}: lock says ${version}`);
      const content = await readFile(installed, 'utf8').catch(() => 'missing');
      if (content !== `version ${version}\n`.repeat(2000)) tally.lost++;
      assert.equal(
        content,
        `version ${version}\n`.repeat(2000),
        `run ${i}: the installed files are not the locked version ${version}`,
      );
      assert.deepEqual(
        (await readdir(workspace.aamDir)).filter((n) => n.startsWith('.staging-')),
        [],
        'staging left behind',
      );
      if (version !== `2.0.${i}`) {
        const again = await runChild('install', { ...spec, name: `@crash/inst@2.0.${i}` });
        assert.ok(again.finished, again.stderr);
      }
    }
  });

  it('reports the figures', () => {
    assert.equal(tally.halfWritten, 0);
    assert.equal(tally.lost, 0);
    console.log(`Crash runs: ${JSON.stringify(tally)}`);
  });
});
