import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { LocalRegistry } from '../../src/core/registry/local-registry.ts';

const MANIFEST =
  'name: greet\nversion: 1.0.0\ndescription: Greets\nartifacts:\n  prompts:\n    - name: hi\n      path: prompts/hi.md\n      description: Hi\n';

/** A monorepo with its package in pkg/, and a home with a private key in it. */
async function world(files: Record<string, string> = {}) {
  const root = await tempDir('pack-output-');
  const home = join(root, 'home');
  const repo = join(root, 'monorepo');
  const pkg = join(repo, 'pkg');
  await mkdir(join(home, '.ssh'), { recursive: true });
  await mkdir(join(home, '.aam'), { recursive: true });
  await writeFile(join(home, '.ssh', 'id_ed25519'), 'PRIVATE KEY\n');
  await mkdir(join(pkg, 'prompts'), { recursive: true });
  await writeFile(join(pkg, 'aam.yaml'), MANIFEST);
  await writeFile(join(pkg, 'prompts', 'hi.md'), 'Hello.\n');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(pkg, path, '..'), { recursive: true });
    await writeFile(join(pkg, path), text);
  }
  return { root, home, repo, pkg };
}

describe('aam-trust pack: where the archive is written', () => {
  it('replaces a link the repository committed at the output path, never writing through it', async () => {
    const w = await world();
    // Run from the repository root, where the repository committed greet-1.0.0.aam -> ~/.ssh/id_ed25519.
    await symlink(join(w.home, '.ssh', 'id_ed25519'), join(w.repo, 'greet-1.0.0.aam'));
    const run = await cli(['pack', 'pkg'], { cwd: w.repo, home: w.home });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await readFile(join(w.home, '.ssh', 'id_ed25519'), 'utf8'), 'PRIVATE KEY\n');
    const written = await lstat(join(w.repo, 'greet-1.0.0.aam'));
    assert.ok(written.isFile() && !written.isSymbolicLink(), 'the link is replaced by the archive');
  });

  it('leaves no partial file when the archive cannot be written', async () => {
    const w = await world();
    await mkdir(join(w.repo, 'greet-1.0.0.aam', 'taken'), { recursive: true });
    const run = await cli(['pack', 'pkg'], { cwd: w.repo, home: w.home });
    assert.notEqual(run.code, 0);
    assert.deepEqual((await readdir(w.repo)).sort(), ['greet-1.0.0.aam', 'pkg'], 'no temporary file is left');
  });
});

describe('packed files that look like secrets', () => {
  const secrets = { '.env.local': 'TOKEN=1\n', '.npmrc': 'x\n', 'keys/deploy.key': 'k\n', id_rsa: 'k\n' };

  it('pack names them in a warning on stderr, and packs them (as aam pkg pack does)', async () => {
    const w = await world(secrets);
    const run = await cli(['pack', 'pkg', '--json'], { cwd: w.repo, home: w.home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^warning: 4 files that look like secrets will be published: .*\.env\.local/m);
    for (const path of Object.keys(secrets)) assert.ok(run.stderr.includes(path), `${path} named: ${run.stderr}`);
    const files = (JSON.parse(run.stdout) as { files: { path: string }[] }).files.map((f) => f.path);
    for (const path of Object.keys(secrets)) assert.ok(files.includes(path), `${path} packed`);
  });

  it('publish names them in a warning on stderr (also with --json)', async () => {
    const w = await world({ 'credentials.json': '{}\n', 'prompts/more.md': 'More.\n' });
    await LocalRegistry.create(join(w.root, 'reg'), { name: 'local' });
    await writeFile(
      join(w.home, '.aam', 'config.yaml'),
      `registries:\n  - name: local\n    url: ${pathToFileURL(join(w.root, 'reg')).href}\n    type: local\n    default: true\n`,
    );
    const run = await cli(['publish', '.', '--json'], { cwd: w.pkg, home: w.home });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^warning: A file that looks like a secret will be published: credentials\.json\./m);
    assert.doesNotMatch(run.stderr, /more\.md/);
  });

  it('says nothing when no file looks like one', async () => {
    const w = await world();
    const run = await cli(['pack', 'pkg'], { cwd: w.repo, home: w.home });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /secrets/);
  });
});
