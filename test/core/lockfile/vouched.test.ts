import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lockEntryProblem, packageLabel, quoted, unlockedFolders } from '../../../src/core/lockfile/vouched.ts';
import { tempDir } from '../../helpers/temp.ts';

/**
 * What a lock file vouches for: an entry aam could not have written (a name
 * outside SPEC §1's grammar, a version or source with a control character)
 * is invalid, and a folder in .aam/packages that no entry names is unlocked.
 * Nothing aam writes is either.
 */
describe('lock entries aam could not have written', () => {
  const entry = (version: string, source = 'team') => ({ version, source });

  it('accepts the names, versions and sources aam writes', () => {
    const names = ['tool', 'a', '0x', 'my-tool-2', '@acme/tool', '@acme_corp/tool', '@0/x', `${'a'.repeat(64)}`];
    // aam parses versions with packaging.Version: semver with pre-release and build, and PEP 440 forms.
    const versions = ['1.0.0', '0.0.0', '1.0.0-beta.1', '1.0.0-rc.1+build.5', '2.0', '1.0.0.post1', '1!2.0', 'v1.2.3'];
    for (const name of names)
      for (const version of versions)
        for (const source of ['team', 'local', 'source', 'https://registry.example.com/x'])
          assert.equal(lockEntryProblem(name, entry(version, source)), undefined, `${name}@${version} from ${source}`);
  });

  it('a name outside the grammar is invalid, shown quoted and escaped on one line', () => {
    for (const name of [
      'x\n::add-mask::failed',
      'Tool',
      'my_tool',
      '@acme/my_tool',
      '@acme',
      '@/x',
      '-x',
      '',
      'a/b',
      '../x',
      `${'a'.repeat(65)}`,
      'x\u2028y',
    ]) {
      const problem = lockEntryProblem(name, entry('1.0.0'));
      assert.ok(problem, JSON.stringify(name));
      assert.equal(problem.actual, quoted(name));
      assert.ok(problem.detail.includes(quoted(name)));
      assert.doesNotMatch(problem.detail, /[\n\r\u2028\u2029]/);
    }
    assert.equal(quoted('x\n::add-mask::failed'), '"x\\n::add-mask::failed"');
    assert.equal(quoted('x\u2028\u202e\u0085y'), '"x\\u2028\\u202e\\u0085y"');
  });

  it('a version or source with a control character or line break is invalid', () => {
    const bad = [
      '1.0.0\n::error::x',
      '1.0.0\r',
      '1.0.0\t',
      '1.0.0\u001b[2J',
      '1.0.0\u0085',
      '1.0.0\u2028',
      '1.0.0\u202e',
    ];
    for (const value of bad) {
      const version = lockEntryProblem('tool', entry(value));
      assert.ok(version, JSON.stringify(value));
      assert.match(version.detail, /the version/);
      assert.doesNotMatch(version.detail, /[\n\r\u2028\u2029]/);
      assert.match(lockEntryProblem('tool', entry('1.0.0', value))!.detail, /the source/);
    }
  });

  it('a line names a package as name@version, a folder without a version alone, an invalid name quoted', () => {
    assert.equal(packageLabel({ name: '@acme/tool', version: '1.0.0' }), '@acme/tool@1.0.0');
    assert.equal(packageLabel({ name: 'evil', version: '' }), 'evil');
    assert.equal(packageLabel({ name: 'x\n::group::y', version: '1.0.0' }), '"x\\n::group::y"');
  });
});

describe('installed folders no lock entry names', () => {
  async function packagesDir(folders: string[], files: string[] = []): Promise<string> {
    const dir = join(await tempDir('aam-unlocked-'), '.aam', 'packages');
    for (const folder of folders) await mkdir(join(dir, folder), { recursive: true });
    for (const file of files) await writeFile(join(dir, file), 'x');
    return dir;
  }

  it('lists each folder no entry names; a scoped name is its scope--name folder', async () => {
    const dir = await packagesDir(['tool', 'acme--tool', 'evil', 'other--evil']);
    assert.deepEqual(await unlockedFolders(dir, ['tool', '@acme/tool']), ['evil', 'other--evil']);
    assert.deepEqual(await unlockedFolders(dir, ['tool', 'acme--tool', 'evil', '@other/evil']), []);
  });

  it("files, dot-folders (aam's .downloads) and a missing folder are not packages", async () => {
    const dir = await packagesDir(['.downloads', '.staging'], ['README.md', '.DS_Store']);
    assert.deepEqual(await unlockedFolders(dir, []), []);
    assert.deepEqual(await unlockedFolders(join(dir, 'absent'), []), []);
  });

  it('an entry outside the grammar names the folder of its own name (aam installs a git source artifact so)', async () => {
    const dir = await packagesDir(['My_Skill', 'x\n::add-mask::y']);
    assert.deepEqual(await unlockedFolders(dir, ['My_Skill']), ['x\n::add-mask::y']);
  });

  it('a link in .aam/packages is listed like a folder', async () => {
    const dir = await packagesDir(['tool']);
    await symlink(join(dir, 'tool'), join(dir, 'linked'));
    assert.deepEqual(await unlockedFolders(dir, ['tool']), ['linked']);
  });
});
