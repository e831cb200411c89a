import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installPackages, installReviewed } from '../../../../src/core/workflows/install/install.ts';
import { prepareInstall } from '../../../../src/core/workflows/install/prepare.ts';
import { publishPackage } from '../../../../src/core/workflows/publish.ts';
import { mkfifo } from '../../../helpers/fifo.ts';
import { makeWorld } from '../../../helpers/workspace.ts';
import type { TestWorld } from '../../../helpers/workspace.ts';

/**
 * An install says what it does to files agents load that its own copies do not account for: a
 * copy the installed version deployed that the new one no longer has stays (as aam install leaves
 * it), and agents go on loading it; a file at one of its places that no version of it deployed is
 * replaced. Both warn, naming the file.
 */
describe('what an install leaves and replaces', () => {
  async function publish(w: TestWorld, version: string, prompts: string[]) {
    const dir = await mkdtemp(join(w.root, 'pkg-'));
    await mkdir(join(dir, 'prompts'));
    for (const p of prompts) await writeFile(join(dir, 'prompts', `${p}.md`), `# ${p} ${version}\n`);
    const list = prompts
      .map((p) => `    - name: ${p}\n      path: prompts/${p}.md\n      description: ${p}\n`)
      .join('');
    await writeFile(
      join(dir, 'aam.yaml'),
      `name: tool\nversion: ${version}\ndescription: Tool\nartifacts:\n  prompts:\n${list}`,
    );
    await publishPackage({
      packageDir: dir,
      registry: w.registry,
      signing: undefined,
      verifier: (await w.services()).verifier,
    });
  }
  const install = async (w: TestWorld, spec: string) =>
    installPackages([spec], { ...(await w.services()), registry: w.registry, platforms: ['cursor'], homeDir: w.home });
  const codes = (installed: Awaited<ReturnType<typeof install>>) =>
    installed.flatMap((i) => i.findings.map((f) => f.code));

  it('an update that drops an artifact says its old copy stays, where agents still load it', async () => {
    const w = await makeWorld();
    await publish(w, '1.0.0', ['keep', 'harmful']);
    await publish(w, '1.1.0', ['keep']);
    assert.deepEqual(codes(await install(w, 'tool@1.0.0')), []);
    const [updated] = await install(w, 'tool@1.1.0');
    const left = updated!.findings.find((f) => f.code === 'DEPLOY_LEFT');
    assert.equal(left?.action, 'warn');
    assert.match(
      left!.message,
      /^tool@1\.0\.0 deployed \.cursor\/prompts\/harmful\.md, which 1\.1\.0 no longer has: it stays, and agents go on loading it\.$/,
    );
    await access(join(w.project, '.cursor', 'prompts', 'harmful.md'));
  });

  it('installing over a file no version of the package deployed says it replaces it', async () => {
    const w = await makeWorld();
    await publish(w, '1.0.0', ['keep']);
    await mkdir(join(w.project, '.cursor', 'prompts'), { recursive: true });
    await writeFile(join(w.project, '.cursor', 'prompts', 'keep.md'), 'my own notes\n');
    const [installed] = await install(w, 'tool@1.0.0');
    const replaces = installed!.findings.find((f) => f.code === 'DEPLOY_REPLACES');
    assert.match(
      replaces?.message ?? '',
      /replaces \.cursor\/prompts\/keep\.md, which no version of it deployed before/,
    );
    assert.equal(await readFile(join(w.project, '.cursor', 'prompts', 'keep.md'), 'utf8'), '# keep 1.0.0\n');
    // What was there is kept, before anything was written, and the warning says where (newuser-review 1).
    const kept = /kept at (\S+): take back/.exec(replaces!.hint ?? '')?.[1] ?? '';
    assert.ok(kept?.startsWith(join(w.home, '.aam', 'replaced')), replaces!.hint);
    assert.ok(kept.endsWith(join('.cursor', 'prompts', 'keep.md')), kept);
    assert.equal(await readFile(kept, 'utf8'), 'my own notes\n');
    // Its own copy, installed again, is no one else's file.
    assert.deepEqual(codes(await install(w, 'tool@1.0.0')), []);
  });

  it('stops before anything is written when it cannot keep a copy of what it would replace', async () => {
    const w = await makeWorld();
    const dir = await mkdtemp(join(w.root, 'pkg-'));
    await mkdir(join(dir, 'skills', 'keep'), { recursive: true });
    await writeFile(join(dir, 'skills', 'keep', 'SKILL.md'), '---\nname: keep\ndescription: Keep\n---\nKeep.\n');
    await writeFile(
      join(dir, 'aam.yaml'),
      'name: tool\nversion: 1.0.0\ndescription: Tool\nartifacts:\n  skills:\n    - name: keep\n      path: skills/keep\n      description: Keep\n',
    );
    await publishPackage({
      packageDir: dir,
      registry: w.registry,
      signing: undefined,
      verifier: (await w.services()).verifier,
    });
    // The user's own skill folder there, holding a named pipe: it cannot be copied aside.
    const mine = join(w.project, '.cursor', 'skills', 'keep');
    await mkdir(mine, { recursive: true });
    await mkfifo(join(mine, 'pipe'));
    await assert.rejects(install(w, 'tool@1.0.0'), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, 'INSTALL_REFUSED');
      assert.match(error.message, /^Could not keep a copy of .*skills\/keep before replacing it/);
      assert.match(error.hint ?? '', /^Nothing was installed\./);
      return true;
    });
    await assert.rejects(access(join(w.project, '.aam', 'aam-lock.yaml')), 'no lock file was written');
  });

  it('keeps what is there when it writes, not when the review was shown (diff7-review I1 and suspicion)', async () => {
    // A review stands open; meanwhile a file of the user's appears at one place, and one it named goes away.
    const w = await makeWorld();
    await publish(w, '1.0.0', ['made', 'gone']);
    const prompts = join(w.project, '.cursor', 'prompts');
    await mkdir(prompts, { recursive: true });
    await writeFile(join(prompts, 'gone.md'), 'there at the review\n');
    const options = { ...(await w.services()), registry: w.registry, platforms: ['cursor'] as const, homeDir: w.home };
    const prepared = await prepareInstall(['tool@1.0.0'], options);
    const shown = prepared.verified[0]!.findings.filter((f) => f.code === 'DEPLOY_REPLACES').map((f) => f.actual);
    assert.deepEqual(shown, [join(prompts, 'gone.md')]);
    await rm(join(prompts, 'gone.md'));
    await writeFile(join(prompts, 'made.md'), 'written while the review stood open\n');
    const [installed] = await installReviewed(prepared, { ...options, acceptChanges: false });
    const replaces = installed!.findings.filter((f) => f.code === 'DEPLOY_REPLACES');
    assert.deepEqual(
      replaces.map((f) => f.actual),
      [join(prompts, 'made.md')],
    );
    const kept = /kept at (\S+): take back/.exec(replaces[0]!.hint ?? '')?.[1] ?? '';
    assert.equal(await readFile(kept, 'utf8'), 'written while the review stood open\n');
    assert.equal(await readFile(join(prompts, 'made.md'), 'utf8'), '# made 1.0.0\n');
  });
});
