import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { packDirectory } from '../../../src/core/package/pack.ts';
import { readArchive } from '../../../src/core/archive/read.ts';
import { tempDir } from '../../helpers/temp.ts';

const manifest = (version: string) =>
  `name: greet\nversion: ${version}\ndescription: Greets\nartifacts:\n  prompts:\n    - name: hi\n      path: prompts/hi.md\n      description: Hi\n`;

/** A package folder a pull request controls, beside a home with a private key in it. */
async function world() {
  const root = await tempDir('pack-links-');
  const home = join(root, 'home');
  const pkg = join(root, 'repo');
  await mkdir(join(home, '.ssh'), { recursive: true });
  await writeFile(join(home, '.ssh', 'id_ed25519'), 'PRIVATE KEY\n');
  await mkdir(join(pkg, 'prompts'), { recursive: true });
  await writeFile(join(pkg, 'aam.yaml'), manifest('1.0.0'));
  await writeFile(join(pkg, 'prompts', 'hi.md'), 'Hello.\n');
  return { root, home, pkg };
}

describe('packDirectory: links in a package folder', () => {
  it('refuses a file link to a file outside (~/.ssh/id_ed25519)', async () => {
    const w = await world();
    await symlink(join(w.home, '.ssh', 'id_ed25519'), join(w.pkg, 'prompts', 'key.md'));
    await assert.rejects(packDirectory(w.pkg), /links outside the package/);
  });

  it('refuses a link into a folder packing leaves out (.git/config holds a checkout token)', async () => {
    const w = await world();
    await mkdir(join(w.pkg, '.git'), { recursive: true });
    await writeFile(
      join(w.pkg, '.git', 'config'),
      '[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n',
    );
    await symlink('../.git/config', join(w.pkg, 'prompts', 'notes.md'));
    await assert.rejects(packDirectory(w.pkg), /prompts\/notes\.md links into \.git\/ .*which is never packed/);
    await rm(join(w.pkg, 'prompts', 'notes.md'));
    await mkdir(join(w.pkg, 'node_modules', '.cache'), { recursive: true });
    await writeFile(join(w.pkg, 'node_modules', '.cache', 'auth'), '//registry.npmjs.org/:_authToken=npm_x\n');
    await symlink('node_modules/.cache/auth', join(w.pkg, 'LICENSE'));
    await assert.rejects(packDirectory(w.pkg), /LICENSE links into node_modules\//);
    await rm(join(w.pkg, 'LICENSE'));
    const packed = await packDirectory(w.pkg);
    assert.ok(!packed.files.some((f) => f.path.startsWith('.git') || f.path.startsWith('node_modules')));
  });

  it('refuses a relative link through .. and a folder link to outside', async () => {
    const w = await world();
    await symlink('../../home/.ssh', join(w.pkg, 'prompts', 'ssh'));
    await assert.rejects(packDirectory(w.pkg), /links outside the package/);
    const w2 = await world();
    await symlink('../home/.ssh/id_ed25519', join(w2.pkg, 'aam2.yaml'));
    await assert.rejects(packDirectory(w2.pkg), /links outside the package/);
  });

  it('refuses aam.yaml itself linked to a manifest outside', async () => {
    const w = await world();
    await writeFile(join(w.root, 'other.yaml'), manifest('1.0.0'));
    await rm(join(w.pkg, 'aam.yaml'));
    await symlink(join(w.root, 'other.yaml'), join(w.pkg, 'aam.yaml'));
    await assert.rejects(packDirectory(w.pkg), /links outside the package/);
  });
});

describe('packDirectory: aam.yaml is read once', () => {
  it('packs the aam.yaml it parsed, even when the file changes while the folder is read', async () => {
    const w = await world();
    const original = fs.readFile;
    let reads = 0;
    // aam.yaml changes right after its first reading (a branch switch, a sync): a second reading would see 9.9.9.
    fs.readFile = (async (...args: Parameters<typeof original>) => {
      const data = await original(...args);
      if (String(args[0]).endsWith('aam.yaml') && reads++ === 0)
        await fs.writeFile(join(w.pkg, 'aam.yaml'), manifest('9.9.9'));
      return data;
    }) as typeof original;
    syncBuiltinESMExports();
    try {
      const packed = await packDirectory(w.pkg);
      const inside = (await readArchive(packed.bytes)).manifestText;
      assert.equal(packed.manifest.version, '1.0.0');
      assert.equal(inside, manifest('1.0.0'), 'the aam.yaml packed is the one whose manifest is returned');
      assert.equal(reads, 1, 'aam.yaml is read once');
    } finally {
      fs.readFile = original;
      syncBuiltinESMExports();
    }
  });
});
