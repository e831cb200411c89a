import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAamError } from '../../../src/core/errors.ts';
import { assertRealFolders, assertResolvesInside, makeRealFolders } from '../../../src/core/fs/real-folders.ts';
import { tempDir } from '../../helpers/temp.ts';

describe('the folders on the way to a write', () => {
  const refused = (path: string, why: RegExp) => (error: unknown) =>
    isAamError(error, 'INSTALL_REFUSED') && error.message.startsWith(`${path} `) && why.test(error.message);

  it('absent or real folders pass; the root itself is not checked', async () => {
    const root = await tempDir('aam-real-');
    await mkdir(join(root, 'a'));
    await assertRealFolders(root, join(root, 'a', 'b', 'c'));
    await assertRealFolders(root, root);
    const linkedRoot = join(await tempDir('aam-real-'), 'root');
    await symlink(root, linkedRoot);
    await assertRealFolders(linkedRoot, join(linkedRoot, 'a'));
  });

  it('a link or a file on the way is refused, by name', async () => {
    const root = await tempDir('aam-real-');
    const outside = await tempDir('aam-real-outside-');
    await mkdir(join(root, 'a'));
    await symlink(outside, join(root, 'a', 'b'));
    await writeFile(join(root, 'f'), 'x');
    await assert.rejects(assertRealFolders(root, join(root, 'a', 'b', 'c')), refused(join(root, 'a', 'b'), /link/));
    await assert.rejects(assertRealFolders(root, join(root, 'f', 'c')), refused(join(root, 'f'), /not a folder/));
    await assert.rejects(assertRealFolders(root, join(outside, 'x')), refused(join(outside, 'x'), /not inside/));
  });

  it('makeRealFolders makes each missing folder, and never through a link', async () => {
    const root = await tempDir('aam-real-');
    const outside = await tempDir('aam-real-outside-');
    await makeRealFolders(root, join(root, 'a', 'b', 'c'));
    assert.ok((await lstat(join(root, 'a', 'b', 'c'))).isDirectory());
    await symlink(outside, join(root, 'a', 'link'));
    await assert.rejects(makeRealFolders(root, join(root, 'a', 'link', 'd')), refused(join(root, 'a', 'link'), /link/));
    assert.deepEqual(await readdir(outside), []);
  });

  it('assertResolvesInside refuses a folder that resolves elsewhere', async () => {
    const root = await tempDir('aam-real-');
    const outside = await tempDir('aam-real-outside-');
    await mkdir(join(root, 'a'));
    await assertResolvesInside(root, join(root, 'a'));
    await symlink(outside, join(root, 'b'));
    await assert.rejects(assertResolvesInside(root, join(root, 'b')), refused(join(root, 'b'), /leads to/));
  });
});
