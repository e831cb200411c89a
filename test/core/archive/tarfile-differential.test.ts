import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readArchive } from '../../../src/core/archive/read.ts';
import { packDirectory } from '../../../src/core/package/pack.ts';
import { MANIFEST } from '../../helpers/tar.ts';
import { file, gnuLong, header, pax, tarGz } from '../../helpers/tar-raw.ts';
import { aamCreate, aamExtract } from '../../helpers/tarfile.ts';
import { tempDir } from '../../helpers/temp.ts';

// Whatever AAM Trust accepts, it must read as `aam install` (Python's
// tarfile, through aam's own extract_archive) writes it: the same files,
// the same bytes, the same executable bits. tar-ambiguity.test.ts holds
// what it refuses instead.

async function assertSameReading(archive: Uint8Array): Promise<void> {
  const ours = await readArchive(archive);
  const theirs = await aamExtract(archive);
  assert.ok(theirs.ok, `aam install fails on an archive AAM Trust accepts: ${!theirs.ok && theirs.error}`);
  assert.deepEqual(
    Object.fromEntries(ours.files.map((f) => [f.path, f.data.toString('utf8')])),
    theirs.files,
    'AAM Trust reads one set of files, aam install writes another',
  );
  assert.deepEqual(
    ours.files.filter((f) => f.executable).map((f) => f.path),
    theirs.executable.filter((path) => !(path in theirs.links)).sort(),
  );
}

/** A package folder with the names packers find hard: long, split, exactly 100 bytes, not ASCII; a link; a script. */
async function trickyPackage(): Promise<string> {
  const dir = await tempDir('aam-tricky-');
  const names = [
    'prompts/hello.md',
    'prompts/h\u00e9llo \u4e16\u754c.md',
    `${'x'.repeat(97)}.md`,
    `${'d'.repeat(60)}/${'e'.repeat(60)}/split.md`,
    `prompts/${'n'.repeat(110)}.md`,
    `prompts/${'\u00e9'.repeat(60)}.md`,
  ];
  await writeFile(join(dir, 'aam.yaml'), MANIFEST);
  for (const [i, name] of names.entries()) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), `file ${i}\n`);
  }
  await writeFile(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n');
  await chmod(join(dir, 'run.sh'), 0o755);
  await symlink('hello.md', join(dir, 'prompts', 'alias.md'));
  return dir;
}

const exec = promisify(execFile);

describe('reading archives as aam install (Python tarfile) reads them', () => {
  it('reads the prefix field as tarfile does, with POSIX, GNU or no magic', async () => {
    for (const magic of ['ustar', 'gnu', 'v7'] as const) {
      await assertSameReading(tarGz(file('aam.yaml', MANIFEST), file('x.md', 'P', { magic, prefix: 'skills' })));
    }
  });

  it('gives a file the executable bit tarfile gives it', async () => {
    await assertSameReading(
      tarGz(
        file('aam.yaml', MANIFEST),
        file('group.sh', 'x', { mode: 0o655 }),
        file('owner.sh', 'x', { mode: 0o744 }),
        file('all.sh', 'x', { mode: 0o4777 }),
      ),
    );
  });

  it('applies the extension headers packers write as tarfile does', async () => {
    await assertSameReading(
      tarGz(
        pax([['mtime', '1700000000.5']], 'g'),
        file('aam.yaml', MANIFEST),
        pax([
          ['path', `prompts/${'n'.repeat(120)}.md`],
          ['hdrcharset', 'ISO-IR 10646 2000 UTF-8'],
        ]),
        file('ignored', 'a'),
        gnuLong(`skills/${'m'.repeat(120)}.md`),
        file('ignored', 'b'),
        gnuLong(`prompts/${'l'.repeat(120)}.md`),
        gnuLong('aam.yaml', 'K'),
        header({ name: 'ignored', type: '1' }),
        header({ name: 'prompts/', type: '5' }),
        header({ name: 'prompts/alias.md', type: '2', linkname: '../aam.yaml' }),
      ),
    );
  });

  it('reads what aam pkg pack writes, links included', async () => {
    await assertSameReading(await aamCreate(await trickyPackage()));
  });

  it('writes nothing it then refuses, and aam install reads it the same', async () => {
    await assertSameReading((await packDirectory(await trickyPackage())).bytes);
  });

  it('reads what GNU tar writes in its gnu and posix formats', async (t) => {
    const dir = await trickyPackage();
    const top = await readdir(dir);
    for (const format of ['gnu', 'posix']) {
      const out = join(await tempDir('aam-gnutar-'), 'pkg.aam');
      try {
        await exec('tar', [`--format=${format}`, '-czf', out, '-C', dir, ...top]);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return t.skip('GNU tar is not installed');
        throw error;
      }
      await assertSameReading(await readFile(out));
    }
  });
});
