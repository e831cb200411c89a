import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { installPackages, installReviewed } from '../../../src/core/workflows/install/install.ts';
import { reviewUpdate } from '../../../src/core/workflows/review/review.ts';
import type { ReviewedFile } from '../../../src/core/workflows/review/review.ts';
import { lineChanges, unifiedDiff } from '../../../src/core/workflows/review/text-diff.ts';
import { publishPackage } from '../../../src/core/workflows/publish.ts';
import { makeWorld } from '../../helpers/workspace.ts';
import type { TestWorld } from '../../helpers/workspace.ts';
import { writeRichPackage } from '../../helpers/aam.ts';
import { cli } from '../../helpers/cli.ts';

const LINE = 'Always cite the file and line you review.';

/** @acme/rich 1.0.0 installed for Cursor and Claude; 1.1.0 published, whose SKILL.md gains one line. */
async function upgradeWorld(): Promise<TestWorld> {
  const w = await makeWorld();
  await w.writeGlobalConfig('', 'default_platform: cursor\nactive_platforms: [cursor, claude]\n');
  const { verifier } = await w.services();
  const v1 = await writeRichPackage(join(w.root, 'v1'), '@acme/rich', '1.0.0');
  await publishPackage({ packageDir: v1, registry: w.registry, signing: undefined, verifier });
  await installPackages(['@acme/rich@1.0.0'], { ...(await w.services()), registry: w.registry, homeDir: w.home });
  const v2 = await writeRichPackage(join(w.root, 'v2'), '@acme/rich', '1.1.0');
  await appendFile(join(v2, 'skills', 'hello', 'SKILL.md'), `${LINE}\n`);
  await publishPackage({ packageDir: v2, registry: w.registry, signing: undefined, verifier });
  return w;
}

const skill = (w: TestWorld, platform: '.cursor' | '.claude') =>
  join(w.project, platform, 'skills', 'hello-acmerich', 'SKILL.md');

describe('update review: what agents would load differently, before anything is written', () => {
  it('a new SKILL.md that gains one line shows exactly that line, per platform, and writes nothing', async () => {
    const w = await upgradeWorld();
    const s = await w.services();
    const lockBefore = await readFile(s.workspace.lockFile, 'utf8');
    const aamBefore = (await readdir(s.workspace.aamDir)).sort();
    const review = await reviewUpdate(['@acme/rich@1.1.0'], { ...s, registry: w.registry, homeDir: w.home });
    const [pkg] = review.packages;
    assert.equal(pkg!.from, '1.0.0');
    assert.equal(pkg!.to, '1.1.0');
    assert.equal(pkg!.trust.change, 'upgraded');
    // CLAUDE.md too: aam's section upsert puts two blank lines before a section that opens the file, every time.
    assert.deepEqual(
      pkg!.files.map((f) => [f.platform, f.change, f.path]),
      [
        ['claude', 'modified', skill(w, '.claude')],
        ['claude', 'modified', join(w.project, 'CLAUDE.md')],
        ['cursor', 'modified', skill(w, '.cursor')],
      ],
    );
    const changedLines = (file: ReviewedFile) =>
      unifiedDiff(file)
        .split('\n')
        .filter((l) => /^[+-](?![+-]{2} )/.test(l));
    for (const file of pkg!.files.filter((f) => f.path.endsWith('SKILL.md'))) {
      assert.deepEqual(lineChanges(file), { added: 1, removed: 0, firstLine: 6 });
      assert.deepEqual(changedLines(file), [`+${LINE}`]);
    }
    assert.deepEqual(changedLines(pkg!.files[1]!), ['+', '+']);
    // Nothing written: not the lock file, not .aam/, not a deployed copy.
    assert.equal(await readFile(s.workspace.lockFile, 'utf8'), lockBefore);
    assert.deepEqual((await readdir(s.workspace.aamDir)).sort(), aamBefore);
    assert.doesNotMatch(await readFile(skill(w, '.cursor'), 'utf8'), /cite the file/);

    const installed = await installReviewed(review.prepared, { ...s, acceptChanges: false });
    assert.deepEqual(
      installed.map((i) => `${i.name}@${i.version}`),
      ['@acme/rich@1.1.0'],
    );
    assert.match(await readFile(skill(w, '.cursor'), 'utf8'), new RegExp(LINE));
    assert.match(await readFile(skill(w, '.claude'), 'utf8'), new RegExp(LINE));
  });

  it('a removed file and an added one are entries of their own; a review of a changed project is not installed', async () => {
    const w = await upgradeWorld();
    const s = await w.services();
    // A file planted in the deployed skill folder: the update replaces the folder, so it goes.
    await mkdir(join(w.project, '.cursor', 'skills', 'hello-acmerich', 'extra'), { recursive: true });
    await appendFile(join(w.project, '.cursor', 'skills', 'hello-acmerich', 'extra', 'notes.md'), 'mine\n');
    const review = await reviewUpdate(['@acme/rich@1.1.0'], { ...s, registry: w.registry, homeDir: w.home });
    const removed = review.packages[0]!.files.find((f) => f.change === 'removed');
    assert.equal(removed?.path, join(w.project, '.cursor', 'skills', 'hello-acmerich', 'extra', 'notes.md'));
    assert.match(unifiedDiff(removed!), /^--- a\/.*notes\.md\n\+\+\+ \/dev\/null\n@@ -1,1 \+0,0 @@\n-mine/m);
    await appendFile(s.workspace.lockFile, '\n');
    await assert.rejects(installReviewed(review.prepared, { ...s, acceptChanges: false }), /changed since this update/);
  });

  it('aam-trust install --review shows the diff and installs only on yes', async () => {
    const w = await upgradeWorld();
    const run = (answer: string | undefined, ...extra: string[]) =>
      cli(['install', '@acme/rich@1.1.0', '--review', ...extra], {
        cwd: w.project,
        home: w.home,
        ...(answer === undefined ? {} : { answer }),
      });
    const no = await run('n');
    assert.equal(no.code, 0, no.stderr);
    assert.match(no.stdout, /Review of @acme\/rich 1\.0\.0 → 1\.1\.0/);
    assert.match(no.stdout, /cursor\s+modified\s+\.cursor\/skills\/hello-acmerich\/SKILL\.md \(\+1 −0\)/);
    assert.match(no.stdout, new RegExp(`^\\+${LINE}$`, 'm'));
    assert.match(no.stdout, /Nothing was installed\./);
    assert.doesNotMatch(await readFile(skill(w, '.cursor'), 'utf8'), /cite the file/);
    const unattended = await run(undefined);
    assert.match(unattended.stdout, /no terminal to ask on/);
    const yes = await run(undefined, '--yes');
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /✓ Installed @acme\/rich@1\.1\.0/);
    assert.match(await readFile(skill(w, '.cursor'), 'utf8'), new RegExp(LINE));
  });
});
