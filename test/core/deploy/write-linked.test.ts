import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDeployed } from '../../../src/core/deploy/write.ts';
import type { DeployTarget } from '../../../src/core/deploy/platforms.ts';
import { isAamError } from '../../../src/core/errors.ts';
import { tempDir } from '../../helpers/temp.ts';

/**
 * `writeDeployed` (install after its commit, restore) checks the folders on
 * the way to each copy again as it writes, since time passed since they
 * were checked: a symbolic link planted meanwhile refuses the write.
 */
describe('writeDeployed through a folder that is a symbolic link', () => {
  const data = Buffer.from('# prompt\n');
  async function world() {
    const root = await tempDir('aam-write-linked-');
    const project = join(root, 'project');
    const outside = join(root, 'victim-home', 'elsewhere'); // a stand-in folder outside the project
    await mkdir(project);
    await mkdir(outside, { recursive: true });
    return { project, outside };
  }
  const file = (project: string, ...parts: string[]): DeployTarget => ({
    platform: 'cursor',
    type: 'prompt',
    name: 'art',
    path: join(project, '.cursor', ...parts),
    root: join(project, '.cursor'),
    checkedFrom: project,
    kind: 'file',
    file: { data, executable: false },
  });
  const refused = (link: string) => (error: unknown) =>
    isAamError(error, 'INSTALL_REFUSED') && error.message.includes(`${link} is a symbolic link`);

  it('a file: not written where the link leads', async () => {
    const { project, outside } = await world();
    await mkdir(join(project, '.cursor'));
    await symlink(outside, join(project, '.cursor', 'prompts'));
    await assert.rejects(
      writeDeployed([file(project, 'prompts', 'art.md')]),
      refused(join(project, '.cursor', 'prompts')),
    );
    assert.deepEqual(await readdir(outside), []);
  });

  it('a file: the platform folder itself a link is refused too', async () => {
    const { project, outside } = await world();
    await symlink(outside, join(project, '.cursor'));
    await assert.rejects(writeDeployed([file(project, 'prompts', 'art.md')]), refused(join(project, '.cursor')));
    assert.deepEqual(await readdir(outside), []);
  });

  it('a skill folder: the folder where the link leads is not swapped out and deleted', async () => {
    const { project, outside } = await world();
    await mkdir(join(outside, 'art'));
    await writeFile(join(outside, 'art', 'mine.txt'), 'user data\n');
    await mkdir(join(project, '.claude'));
    await symlink(outside, join(project, '.claude', 'skills'));
    const tree: DeployTarget = {
      platform: 'claude',
      type: 'skill',
      name: 'art',
      path: join(project, '.claude', 'skills', 'art'),
      root: join(project, '.claude'),
      checkedFrom: project,
      kind: 'tree',
      files: new Map([['SKILL.md', { data, executable: false }]]),
    };
    await assert.rejects(writeDeployed([tree]), refused(join(project, '.claude', 'skills')));
    assert.deepEqual(await readdir(outside), ['art']);
    assert.deepEqual(await readdir(join(outside, 'art')), ['mine.txt']);
  });

  it('real folders are made one by one, and the copy is written', async () => {
    const { project } = await world();
    await writeDeployed([file(project, 'prompts', 'deep', 'art.md')]);
    assert.deepEqual(await readdir(join(project, '.cursor', 'prompts', 'deep')), ['art.md']);
  });
});
