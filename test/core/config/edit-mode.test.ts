import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { editConfigFile } from '../../../src/core/config/edit.ts';
import { tempDir } from '../../helpers/temp.ts';

const ADD_KEY = [
  { op: 'add-to-list' as const, path: ['security', 'trusted_keys'], value: 'AAAABBBBCCCCDDDDEEEEFFFF0000111122223333' },
];

/** `run` with the umask most systems have, which would make a new file 0644. */
async function underUmask022<T>(run: () => Promise<T>): Promise<T> {
  const old = process.umask(0o022);
  try {
    return await run();
  } finally {
    process.umask(old);
  }
}

describe('config edits keep the mode of the file', () => {
  it('a 0600 config stays 0600', async () => {
    const dir = await tempDir('aam-mode-');
    const path = join(dir, 'config.yaml');
    await writeFile(path, 'security:\n  gpg_home: ~/secret-gnupg\n');
    await chmod(path, 0o600);
    await underUmask022(() => editConfigFile(path, ADD_KEY));
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  it('so does the 0600 dotfiles file a linked config names, and the link stays', async () => {
    const root = await tempDir('aam-mode-');
    await mkdir(join(root, 'dotfiles'));
    await mkdir(join(root, '.aam'));
    const dotfiles = join(root, 'dotfiles', 'aam.yaml');
    await writeFile(dotfiles, 'security:\n  gpg_home: ~/secret-gnupg\n');
    await chmod(dotfiles, 0o600);
    const path = join(root, '.aam', 'config.yaml');
    await symlink(dotfiles, path);
    await underUmask022(() => editConfigFile(path, ADD_KEY));
    assert.equal((await stat(dotfiles)).mode & 0o777, 0o600);
    assert.ok((await lstat(path)).isSymbolicLink());
  });

  it('a group-writable config keeps its group bits, whatever the umask', async () => {
    const dir = await tempDir('aam-mode-');
    const path = join(dir, 'config.yaml');
    await writeFile(path, '');
    await chmod(path, 0o664);
    await underUmask022(() => editConfigFile(path, ADD_KEY));
    assert.equal((await stat(path)).mode & 0o777, 0o664);
  });

  it('a new config is 0644 under the umask, as the AAM CLI makes it', async () => {
    const dir = await tempDir('aam-mode-');
    const path = join(dir, '.aam', 'config.yaml');
    await underUmask022(() => editConfigFile(path, ADD_KEY));
    assert.equal((await stat(path)).mode & 0o777, 0o644);
  });
});
