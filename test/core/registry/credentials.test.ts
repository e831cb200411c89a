import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { forgetRegistryToken, keptRegistryToken, saveRegistryToken } from '../../../src/core/registry/credentials.ts';
import { isAamError } from '../../../src/core/errors.ts';
import { tempDir } from '../../helpers/temp.ts';

const OTHERS = 'tokens:\n  official:\n    token: aam_official_secret\n  corp:\n    token: aam_corp_secret\n';

/** A home whose ~/.aam/credentials.yaml holds `text` (0600). */
async function homeWith(text: string): Promise<{ home: string; path: string }> {
  const home = await tempDir('aam-cred-');
  await mkdir(join(home, '.aam'));
  const path = join(home, '.aam', 'credentials.yaml');
  await writeFile(path, text, { mode: 0o600 });
  return { home, path };
}

/** That `run` fails with an error naming `path`, its reason, and that nothing was changed; and the file is as it was. */
async function refusedUnchanged(run: () => Promise<unknown>, path: string, reason: RegExp): Promise<void> {
  const before = await readFile(path);
  await assert.rejects(run, (error: unknown) => {
    assert.ok(isAamError(error, 'CONFIG_INVALID'));
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.message, reason);
    assert.match(error.message, /Nothing was changed\.$/);
    return true;
  });
  assert.deepEqual(await readFile(path), before);
}

describe('credentials.yaml: login and logout never drop the other tokens', () => {
  it('saves a token beside the others, 0600', async () => {
    const { home, path } = await homeWith(OTHERS);
    await saveRegistryToken('new', 'https://new.example', 'aam_new', home, {});
    const text = await readFile(path, 'utf8');
    assert.match(text, /aam_official_secret[\s\S]*aam_corp_secret[\s\S]*aam_new/);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  it('starts empty only when there is no file', async () => {
    const home = await tempDir('aam-cred-');
    const path = await saveRegistryToken('new', 'https://new.example', 'aam_new', home, {});
    assert.deepEqual(await keptRegistryToken('new', home, {}), { token: 'aam_new', url: 'https://new.example' });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  it('refuses a file with a YAML error (a duplicate key), naming it, and leaves it as it was', async () => {
    const { home, path } = await homeWith(`${OTHERS}  corp:\n    token: dup\n`);
    await refusedUnchanged(
      () => saveRegistryToken('new', 'https://new.example', 'aam_new', home, {}),
      path,
      /Cannot save the token: .* is not valid YAML/,
    );
    await refusedUnchanged(() => forgetRegistryToken('official', home, {}), path, /Cannot remove the token: /);
  });

  it('refuses a file larger than a config may be', async () => {
    const { home, path } = await homeWith(`${OTHERS}# ${'x'.repeat(1024 * 1024)}\n`);
    await refusedUnchanged(
      () => saveRegistryToken('new', 'https://new.example', 'aam_new', home, {}),
      path,
      /bytes, more than/,
    );
  });

  it('refuses a file whose tokens is not a mapping', async () => {
    const { home, path } = await homeWith('tokens:\n  - aam_official_secret\n');
    await refusedUnchanged(
      () => saveRegistryToken('new', 'https://new.example', 'aam_new', home, {}),
      path,
      /"tokens" that is not a mapping/,
    );
  });

  it('follows a link into a dotfiles folder, as the global config does: the link stays, the file keeps 0600', async () => {
    const home = await tempDir('aam-cred-');
    await mkdir(join(home, '.aam'));
    await mkdir(join(home, 'dotfiles'));
    const real = join(home, 'dotfiles', 'credentials.yaml');
    await writeFile(real, OTHERS, { mode: 0o600 });
    const path = join(home, '.aam', 'credentials.yaml');
    await symlink(real, path);
    await saveRegistryToken('new', 'https://new.example', 'aam_new', home, {});
    assert.ok((await lstat(path)).isSymbolicLink());
    assert.match(await readFile(real, 'utf8'), /aam_official_secret[\s\S]*aam_corp_secret[\s\S]*aam_new/);
    assert.equal((await stat(real)).mode & 0o777, 0o600);
    assert.equal((await keptRegistryToken('official', home, {}))?.token, 'aam_official_secret');
    assert.equal(await forgetRegistryToken('corp', home, {}), true);
    assert.ok((await lstat(path)).isSymbolicLink());
    assert.doesNotMatch(await readFile(real, 'utf8'), /aam_corp_secret/);
  });

  it('refuses a link to a file that is not there, and leaves the link', async () => {
    const home = await tempDir('aam-cred-');
    await mkdir(join(home, '.aam'));
    const path = join(home, '.aam', 'credentials.yaml');
    await symlink(join(home, 'gone.yaml'), path);
    await assert.rejects(
      () => saveRegistryToken('new', 'https://new.example', 'aam_new', home, {}),
      /is a link to .*gone\.yaml, which is not there\. Nothing was changed\./,
    );
    assert.ok((await lstat(path)).isSymbolicLink());
  });

  it('forgets only a token the file itself keeps (not one "in" every object)', async () => {
    const { home, path } = await homeWith(OTHERS);
    assert.equal(await forgetRegistryToken('toString', home, {}), false);
    assert.equal(await readFile(path, 'utf8'), OTHERS);
  });
});
