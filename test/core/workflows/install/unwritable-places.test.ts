import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAamError } from '../../../../src/core/errors.ts';
import { readLockFile } from '../../../../src/core/lockfile/lockfile.ts';
import { readTrustRecord } from '../../../../src/core/record/trust-record.ts';
import { installPackages } from '../../../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../../../src/core/workflows/publish.ts';
import { writeRichPackage } from '../../../helpers/aam.ts';
import { makeWorld } from '../../../helpers/workspace.ts';
import type { TestWorld } from '../../../helpers/workspace.ts';

/**
 * A deployed copy's place that cannot be written (CLAUDE.md a link, a file
 * where a skill folder goes, a folder where a rule file goes, a CLAUDE.md
 * that is not UTF-8) refuses the install before anything is written: found
 * only while deploying, after the lock file, trust record and package
 * folder were committed, it left a "refused" install half done.
 */
describe('install where a deployed copy cannot be written', () => {
  async function world(): Promise<TestWorld> {
    const w = await makeWorld();
    const { verifier } = await w.services();
    const dir = await writeRichPackage(join(w.root, 'src'), 'tool', '1.0.0');
    await publishPackage({ packageDir: dir, registry: w.registry, signing: undefined, verifier });
    return w;
  }
  const install = async (w: TestWorld) =>
    installPackages(['tool'], {
      ...(await w.services()),
      registry: w.registry,
      platforms: ['cursor', 'claude'],
      homeDir: w.home,
    });
  const refusedFor = (place: string, why: RegExp) => (error: unknown) =>
    isAamError(error, 'INSTALL_REFUSED') &&
    error.message.startsWith(`${place} `) &&
    why.test(error.message) &&
    /Nothing was installed/.test(error.hint ?? '');

  async function nothingInstalled(w: TestWorld): Promise<void> {
    const aam = join(w.project, '.aam');
    assert.equal((await readLockFile(join(aam, 'aam-lock.yaml'))).packages.tool, undefined, 'no lock entry');
    assert.equal((await readTrustRecord(join(aam, 'trust-record.yaml'))).packages.tool, undefined, 'no record entry');
    await assert.rejects(access(join(aam, 'packages', 'tool')), 'no package folder');
    await assert.rejects(access(join(w.project, '.cursor', 'prompts', 'greet-tool.md')), 'no Cursor copy');
    await assert.rejects(access(join(w.project, '.claude', 'agents', 'helper-tool.md')), 'no Claude copy');
  }

  it('CLAUDE.md a symbolic link (to a stand-in ~/.bashrc): refused, not written through', async () => {
    const w = await world();
    const bashrc = join(w.root, 'victim-home', '.bashrc');
    await mkdir(join(w.root, 'victim-home'));
    await writeFile(bashrc, 'original\n');
    await symlink(bashrc, join(w.project, 'CLAUDE.md'));
    await assert.rejects(install(w), refusedFor(join(w.project, 'CLAUDE.md'), /symbolic link/));
    assert.equal(await readFile(bashrc, 'utf8'), 'original\n');
    await nothingInstalled(w);
  });

  it('CLAUDE.md not UTF-8: refused, and left as it was', async () => {
    const w = await world();
    const bytes = Buffer.from([0x23, 0x20, 0xff, 0xfe, 0x0a]);
    await writeFile(join(w.project, 'CLAUDE.md'), bytes);
    await assert.rejects(install(w), refusedFor(join(w.project, 'CLAUDE.md'), /not UTF-8/));
    assert.deepEqual(await readFile(join(w.project, 'CLAUDE.md')), bytes);
    await nothingInstalled(w);
  });

  it('.claude/skills a regular file: refused, naming it', async () => {
    const w = await world();
    await mkdir(join(w.project, '.claude'));
    await writeFile(join(w.project, '.claude', 'skills'), 'not a folder\n');
    await assert.rejects(install(w), refusedFor(join(w.project, '.claude', 'skills'), /is not a folder/));
    await nothingInstalled(w);
  });

  it('a folder where a Cursor rule file goes: refused, naming it', async () => {
    const w = await world();
    await mkdir(join(w.project, '.cursor', 'rules', 'style-tool.mdc'), { recursive: true });
    await assert.rejects(
      install(w),
      refusedFor(join(w.project, '.cursor', 'rules', 'style-tool.mdc'), /is not a regular file/),
    );
    await nothingInstalled(w);
  });

  it('a file where a skill folder goes: refused, naming it', async () => {
    const w = await world();
    await mkdir(join(w.project, '.cursor', 'skills'), { recursive: true });
    await writeFile(join(w.project, '.cursor', 'skills', 'hello-tool'), 'mine\n');
    await assert.rejects(install(w), refusedFor(join(w.project, '.cursor', 'skills', 'hello-tool'), /is not a folder/));
    assert.equal(await readFile(join(w.project, '.cursor', 'skills', 'hello-tool'), 'utf8'), 'mine\n');
    await nothingInstalled(w);
  });

  it("a CLAUDE.md of the user: installed into, the user's text kept", async () => {
    const w = await world();
    await writeFile(join(w.project, 'CLAUDE.md'), '# Mine\n');
    await install(w);
    const text = await readFile(join(w.project, 'CLAUDE.md'), 'utf8');
    assert.ok(text.startsWith('# Mine\n') && text.includes('BEGIN AAM: style-tool instruction'), text);
  });
});
