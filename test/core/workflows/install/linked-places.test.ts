import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAamError } from '../../../../src/core/errors.ts';
import { readLockFile } from '../../../../src/core/lockfile/lockfile.ts';
import type { Platform } from '../../../../src/core/model/platform.ts';
import { readTrustRecord } from '../../../../src/core/record/trust-record.ts';
import { installPackages, installReviewed } from '../../../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../../../src/core/workflows/publish.ts';
import { reviewUpdate } from '../../../../src/core/workflows/review/review.ts';
import { writeRichPackage } from '../../../helpers/aam.ts';
import { makeWorld } from '../../../helpers/workspace.ts';
import type { TestWorld } from '../../../helpers/workspace.ts';

/**
 * A cloned repository decides what `.aam`, `.cursor/prompts` or
 * `.claude/skills` are: committed as symbolic links, they would carry the
 * install's writes, renames and `rm -rf` out of the project (into `~/`,
 * `~/.ssh`). Verification refuses to read through linked folders; install
 * refuses to write through them, before anything is written. The "home"
 * here is a stand-in folder in the test's temporary world.
 */
describe('install where a folder on the way is a symbolic link', () => {
  async function world(): Promise<TestWorld & { outside: string }> {
    const w = await makeWorld();
    const { verifier } = await w.services();
    const dir = await writeRichPackage(join(w.root, 'src'), 'tool', '1.0.0');
    await publishPackage({ packageDir: dir, registry: w.registry, signing: undefined, verifier });
    const outside = join(w.root, 'victim-home');
    await mkdir(outside, { recursive: true });
    return Object.assign(w, { outside });
  }
  const install = async (w: TestWorld, platforms: Platform[] = ['cursor', 'claude']) =>
    installPackages(['tool'], { ...(await w.services()), registry: w.registry, platforms, homeDir: w.home });
  const refusedFor = (link: string) => (error: unknown) =>
    isAamError(error, 'INSTALL_REFUSED') &&
    error.message.includes(`${link} is a symbolic link`) &&
    /Nothing was installed/.test(error.hint ?? '');

  /** Nothing of the package anywhere in the project: not in the lock file, the record, .aam/packages or a platform folder. */
  async function nothingInstalled(w: TestWorld): Promise<void> {
    const aam = join(w.project, '.aam');
    assert.equal((await readLockFile(join(aam, 'aam-lock.yaml'))).packages.tool, undefined, 'no lock entry');
    assert.equal((await readTrustRecord(join(aam, 'trust-record.yaml'))).packages.tool, undefined, 'no record entry');
    await assert.rejects(access(join(aam, 'packages', 'tool')), 'no package folder');
    await assert.rejects(access(join(w.project, '.cursor', 'rules', 'style-tool.mdc')), 'no Cursor copy');
  }

  it('.aam/packages -> outside: refused, and a folder of the same name there is left alone', async () => {
    const w = await world();
    await mkdir(join(w.outside, 'tool'));
    await writeFile(join(w.outside, 'tool', 'diary.txt'), 'precious\n'); // stand-in for ~/tool
    await symlink(w.outside, join(w.project, '.aam', 'packages'));
    await assert.rejects(install(w), refusedFor(join(w.project, '.aam', 'packages')));
    assert.equal(await readFile(join(w.outside, 'tool', 'diary.txt'), 'utf8'), 'precious\n');
    assert.deepEqual(await readdir(join(w.outside, 'tool')), ['diary.txt']);
    await rm(join(w.project, '.aam', 'packages'));
    await nothingInstalled(w);
  });

  it('.aam -> outside: refused, and no lock file, trust record or package is written there', async () => {
    const w = await world();
    const elsewhere = join(w.outside, 'dot-aam');
    await mkdir(elsewhere);
    await rm(join(w.project, '.aam'), { recursive: true });
    await symlink(elsewhere, join(w.project, '.aam'));
    await assert.rejects(install(w, []), refusedFor(join(w.project, '.aam')));
    const names = await readdir(elsewhere);
    for (const name of ['aam-lock.yaml', 'trust-record.yaml', 'packages'])
      assert.equal(names.includes(name), false, `${name} written through the link: ${names.join(', ')}`);
  });

  it('.cursor/prompts -> ~/.ssh and .claude/skills -> a folder: refused, nothing written or deleted there', async () => {
    const w = await world();
    const ssh = join(w.outside, '.ssh'); // stand-in for ~/.ssh
    const skills = join(w.outside, 'skills-elsewhere');
    await mkdir(ssh);
    await mkdir(join(skills, 'hello-tool'), { recursive: true });
    await writeFile(join(skills, 'hello-tool', 'mine.txt'), 'user data\n');
    await mkdir(join(w.project, '.cursor'));
    await mkdir(join(w.project, '.claude'));
    await symlink(ssh, join(w.project, '.cursor', 'prompts'));
    await symlink(skills, join(w.project, '.claude', 'skills'));
    await assert.rejects(install(w), refusedFor(join(w.project, '.cursor', 'prompts')));
    assert.deepEqual(await readdir(ssh), []);
    assert.deepEqual(await readdir(join(skills, 'hello-tool')), ['mine.txt']);
    await nothingInstalled(w);
    await rm(join(w.project, '.cursor', 'prompts'));
    await assert.rejects(install(w), refusedFor(join(w.project, '.claude', 'skills')), 'each link is refused');
    assert.deepEqual(await readdir(join(skills, 'hello-tool')), ['mine.txt']);
    await nothingInstalled(w);
  });

  it("Codex: ~/.codex itself may be a link (the user's dotfiles: no repository decides it)", async () => {
    const w = await world();
    const dotfiles = join(w.outside, 'dotfiles-codex');
    await mkdir(dotfiles);
    await symlink(dotfiles, join(w.home, '.codex'));
    await install(w, ['codex']);
    await access(join(dotfiles, 'prompts', 'greet-tool.md'));
  });

  it('Codex: ~/.codex/prompts -> outside is refused (checked from ~/.codex down)', async () => {
    const w = await world();
    const target = join(w.outside, 'codex-prompts');
    await mkdir(target);
    await mkdir(join(w.home, '.codex'));
    await symlink(target, join(w.home, '.codex', 'prompts'));
    await assert.rejects(install(w, ['codex']), refusedFor(join(w.home, '.codex', 'prompts')));
    assert.deepEqual(await readdir(target), []);
    await nothingInstalled(w);
  });

  it('a link planted after a review was prepared: the reviewed install is refused, and nothing is installed', async () => {
    const w = await world();
    const options = {
      ...(await w.services()),
      registry: w.registry,
      platforms: ['cursor'] as Platform[],
      homeDir: w.home,
    };
    const review = await reviewUpdate(['tool'], options);
    const ssh = join(w.outside, '.ssh');
    await mkdir(ssh);
    await mkdir(join(w.project, '.cursor'));
    await symlink(ssh, join(w.project, '.cursor', 'prompts'));
    await assert.rejects(
      installReviewed(review.prepared, { ...options, acceptChanges: false }),
      refusedFor(join(w.project, '.cursor', 'prompts')),
    );
    assert.deepEqual(await readdir(ssh), []);
    await nothingInstalled(w);
  });

  it('real folders, made or already there, install as before', async () => {
    const w = await world();
    await mkdir(join(w.project, '.claude', 'skills'), { recursive: true });
    await install(w, ['cursor', 'claude', 'codex']);
    await access(join(w.project, '.cursor', 'prompts', 'greet-tool.md'));
    await access(join(w.project, '.claude', 'skills', 'hello-tool', 'SKILL.md'));
    await access(join(w.home, '.codex', 'prompts', 'greet-tool.md'));
    assert.equal((await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'))).packages.tool?.version, '1.0.0');
  });
});
