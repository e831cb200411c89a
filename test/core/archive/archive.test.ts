import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { packDirectory } from '../../../src/core/package/pack.ts';
import { readArchive } from '../../../src/core/archive/read.ts';
import { extractArchive, fileChecksumsOf } from '../../../src/core/archive/extract.ts';
import { sha256File } from '../../../src/core/archive/hash.ts';
import { isAamError } from '../../../src/core/errors.ts';
import type { ErrorCode } from '../../../src/core/errors.ts';
import { MANIFEST, gnuLongName, makeTar, makeTarGz } from '../../helpers/tar.ts';
import { tempDir } from '../../helpers/temp.ts';

async function packageDir(): Promise<string> {
  const dir = await tempDir('aam-pkg-');
  await writeFile(join(dir, 'aam.yaml'), MANIFEST);
  await mkdir(join(dir, 'prompts'));
  await writeFile(join(dir, 'prompts', 'hello.md'), '# Hello\n');
  await writeFile(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  for (const excluded of ['.git', 'node_modules', '.venv', '__pycache__', 'dist', 'build']) {
    await mkdir(join(dir, excluded));
    await writeFile(join(dir, excluded, 'x'), 'excluded');
  }
  return dir;
}

const rejects = (code: ErrorCode, pattern?: RegExp) => (error: unknown) =>
  isAamError(error, code) && (!pattern || pattern.test(error.message));

describe('packing a package folder', () => {
  it('round-trips through the reader with the manifest at the root and excluded folders left out', async () => {
    const packed = await packDirectory(await packageDir());
    assert.equal(packed.manifest.name, '@demo/hello');
    assert.match(packed.checksum, /^sha256:[0-9a-f]{64}$/);
    const contents = await readArchive(packed.bytes);
    assert.deepEqual(
      contents.files.map((f) => f.path),
      ['aam.yaml', 'prompts/hello.md', 'run.sh'],
    );
    assert.equal(contents.files.find((f) => f.path === 'run.sh')?.executable, true);
    assert.equal(contents.manifestText, MANIFEST);
  });
  it('is reproducible: packing the same folder twice gives the same checksum', async () => {
    const dir = await packageDir();
    assert.equal((await packDirectory(dir)).checksum, (await packDirectory(dir)).checksum);
  });
  it('refuses a folder without aam.yaml, and an invalid manifest', async () => {
    const empty = await tempDir('aam-empty-');
    await assert.rejects(packDirectory(empty), rejects('MANIFEST_INVALID', /No aam.yaml/));
    await writeFile(join(empty, 'aam.yaml'), 'name: Bad Name\nversion: one\n');
    await assert.rejects(
      packDirectory(empty),
      rejects('MANIFEST_INVALID', /"name"[\s\S]*"version"[\s\S]*description[\s\S]*artifacts/),
    );
  });
  it('refuses links that point outside the package and includes the target of links inside it', async () => {
    const dir = await packageDir();
    await symlink(join(dir, 'prompts', 'hello.md'), join(dir, 'alias.md'));
    const packed = await packDirectory(dir);
    assert.ok(packed.files.some((f) => f.path === 'alias.md'));
    await symlink('/etc/passwd', join(dir, 'passwd'));
    await assert.rejects(packDirectory(dir), rejects('ARCHIVE_UNSAFE', /outside the package/));
  });
  it('stores content that does not compress, compresses the rest, and both read back', async () => {
    const media = await packageDir();
    await writeFile(join(media, 'prompts', 'clip.bin'), randomBytes(2 * 1024 * 1024));
    const text = await packageDir();
    await writeFile(join(text, 'prompts', 'long.md'), 'A prompt that repeats itself. '.repeat(70_000));
    const stored = await packDirectory(media);
    const compressed = await packDirectory(text);
    // Stored: a little larger than the content; compressed: a small fraction of it.
    assert.ok(
      stored.bytes.length > 2 * 1024 * 1024 && stored.bytes.length < 2.1 * 1024 * 1024,
      String(stored.bytes.length),
    );
    assert.ok(compressed.bytes.length < 100_000, String(compressed.bytes.length));
    for (const packed of [stored, compressed]) {
      const contents = await readArchive(packed.bytes);
      assert.deepEqual(
        contents.files.map((f) => [f.path, f.sha256]),
        packed.files.map((f) => [f.path, f.sha256]),
      );
    }
  });

  it('refuses content over the 50 MB limit', async () => {
    const dir = await packageDir();
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(51 * 1024 * 1024, 1));
    await assert.rejects(packDirectory(dir), rejects('ARCHIVE_TOO_LARGE'));
  });
});

describe('hashing a file', () => {
  it('gives the SHA-256 of every byte, whatever the size around its 1 MiB chunks', async () => {
    const { createHash } = await import('node:crypto');
    const dir = await tempDir('aam-hash-');
    const MiB = 1024 * 1024;
    for (const size of [0, 1, MiB - 1, MiB, MiB + 1, 2 * MiB, 3 * MiB + 12345]) {
      const bytes = randomBytes(size);
      const path = join(dir, `f${size}`);
      await writeFile(path, bytes);
      assert.equal(
        await sha256File(path),
        `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
        `${size} bytes`,
      );
    }
    await assert.rejects(sha256File(join(dir, 'missing')), /ENOENT/);
  });
});

describe('reading and extracting archives safely', () => {
  const good = (extra: Parameters<typeof makeTarGz>[0] = []) =>
    makeTarGz([{ name: 'aam.yaml', content: MANIFEST }, { name: 'prompts/hello.md', content: 'hi' }, ...extra]);

  it('extracts into a new folder and reports file checksums', async () => {
    const dest = join(await tempDir('aam-x-'), 'pkg');
    const contents = await extractArchive(await good(), dest);
    assert.equal(await readFile(join(dest, 'prompts', 'hello.md'), 'utf8'), 'hi');
    assert.equal(
      fileChecksumsOf(contents)['prompts/hello.md'],
      (await sha256File(join(dest, 'prompts', 'hello.md'))).slice(7),
    );
  });
  it('accepts GNU tar\'s "./" prefix and long names (pax headers)', async () => {
    const long = `${'d/'.repeat(20)}${'n'.repeat(120)}.md`;
    const contents = await readArchive(
      await makeTarGz([
        { name: './aam.yaml', content: MANIFEST },
        { name: long, content: 'x' },
      ]),
    );
    assert.deepEqual(contents.files.map((f) => f.path).sort(), ['aam.yaml', long].sort());
  });

  const hostile: [string, () => Promise<Buffer>, ErrorCode, RegExp][] = [
    ['a ../ entry', () => good([{ name: '../evil.sh', content: 'x' }]), 'ARCHIVE_UNSAFE', /climbs out/],
    [
      'a nested ../ entry',
      () => good([{ name: 'prompts/../../evil.sh', content: 'x' }]),
      'ARCHIVE_UNSAFE',
      /climbs out/,
    ],
    [
      'a .git folder (a repository whose config names programs git runs)',
      () => good([{ name: 'skills/x/.git/config', content: '[core]\n\tfsmonitor = ./hook\n' }]),
      'ARCHIVE_UNSAFE',
      /inside a \.git folder/,
    ],
    ['an absolute entry', () => good([{ name: '/etc/cron.d/evil', content: 'x' }]), 'ARCHIVE_UNSAFE', /absolute/],
    ['a Windows drive path', () => good([{ name: 'C:/evil', content: 'x' }]), 'ARCHIVE_UNSAFE', /absolute/],
    ['a backslash path', () => good([{ name: '..\\evil', content: 'x' }]), 'ARCHIVE_UNSAFE', /backslash/],
    [
      'a symlink out of the package',
      () => good([{ name: 'link', type: 'symlink', linkname: '../../etc/passwd' }]),
      'ARCHIVE_UNSAFE',
      /outside the package/,
    ],
    [
      'an absolute symlink',
      () => good([{ name: 'link', type: 'symlink', linkname: '/etc/passwd' }]),
      'ARCHIVE_UNSAFE',
      /outside the package/,
    ],
    [
      'a hardlink out of the package',
      () => good([{ name: 'link', type: 'link', linkname: '../outside' }]),
      'ARCHIVE_UNSAFE',
      /climbs out/,
    ],
    [
      'a hardlink to nothing in the package',
      () => good([{ name: 'link', type: 'link', linkname: 'missing' }]),
      'ARCHIVE_UNSAFE',
      /not a file in the package/,
    ],
    [
      'a character device',
      () => good([{ name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 }]),
      'ARCHIVE_UNSAFE',
      /character-device/,
    ],
    ['a block device', () => good([{ name: 'dev', type: 'block-device' }]), 'ARCHIVE_UNSAFE', /block-device/],
    ['a FIFO', () => good([{ name: 'pipe', type: 'fifo' }]), 'ARCHIVE_UNSAFE', /fifo/],
    ['a second aam.yaml', () => good([{ name: 'aam.yaml', content: 'name: evil' }]), 'ARCHIVE_UNSAFE', /twice/],
    [
      'case-colliding names',
      () => good([{ name: 'prompts/HELLO.md', content: 'x' }]),
      'ARCHIVE_UNSAFE',
      /case-insensitive/,
    ],
    [
      'Unicode-normalisation-colliding names',
      () =>
        good([
          { name: 'caf\u00e9.md', content: 'a' },
          { name: 'cafe\u0301.md', content: 'b' },
        ]),
      'ARCHIVE_UNSAFE',
      /collide/,
    ],
    [
      'control characters in a name',
      () => good([{ name: 'a\u001b[31mred', content: 'x' }]),
      'ARCHIVE_UNSAFE',
      /control/,
    ],
    ['a NUL inside a name', () => good([{ name: 'evil.sh\u0000.md', content: 'x' }]), 'ARCHIVE_UNSAFE', /control/],
    [
      'a NUL inside a pax path',
      () => good([{ name: 'ok.md', pax: { path: 'prompts/ok.md\u0000/../../../evil.sh' }, content: 'x' }]),
      'ARCHIVE_UNSAFE',
      /control/,
    ],
    [
      'a NUL inside a GNU long name',
      async () =>
        gzipSync(
          Buffer.concat([
            await makeTar([{ name: 'aam.yaml', content: MANIFEST }]).then((tar) => tar.subarray(0, 1024)),
            gnuLongName(Buffer.from('prompts/ok.md\u0000../../evil.sh\u0000')),
            await makeTar([{ name: 'placeholder', content: 'x' }]),
          ]),
        ),
      'ARCHIVE_UNSAFE',
      /control/,
    ],
    [
      'a NUL inside a symlink target',
      () => good([{ name: 'link', type: 'symlink', linkname: 'prompts/hello.md\u0000../../x' }]),
      'ARCHIVE_UNSAFE',
      /control/,
    ],
    [
      'a file used as a folder',
      () => good([{ name: 'prompts/hello.md/x', content: 'x' }]),
      'ARCHIVE_UNSAFE',
      /as a folder/,
    ],
    ['deep nesting', () => good([{ name: `${'d/'.repeat(40)}f`, content: 'x' }]), 'ARCHIVE_UNSAFE', /deeper/],
    ['no manifest', () => makeTarGz([{ name: 'readme.md', content: 'x' }]), 'ARCHIVE_INVALID', /no aam.yaml/],
    [
      'plain tar without gzip',
      async () => makeTar([{ name: 'aam.yaml', content: MANIFEST }]),
      'ARCHIVE_INVALID',
      /gzip/,
    ],
    ['truncated gzip', async () => (await good()).subarray(0, 60), 'ARCHIVE_INVALID', /gzip|truncated/],
    ['gzip of garbage', async () => gzipSync(Buffer.alloc(4096, 7)), 'ARCHIVE_INVALID', /tar/],
    [
      'a gzip bomb past 50 MB',
      async () =>
        gzipSync(
          await makeTar([
            { name: 'aam.yaml', content: MANIFEST },
            { name: 'zeros', content: Buffer.alloc(60 * 1024 * 1024) },
          ]),
        ),
      'ARCHIVE_TOO_LARGE',
      /bomb/,
    ],
    ['an archive over 50 MB', async () => Buffer.alloc(50 * 1024 * 1024 + 1), 'ARCHIVE_TOO_LARGE', /limit/],
    [
      'links that write past 50 MB as copies of a 4 MB file (a few KB of archive)',
      async () =>
        good([
          { name: 'big.md', content: Buffer.alloc(4 * 1024 * 1024, 'a') },
          ...Array.from({ length: 8 }, (_, i) => ({ name: `hard-${i}.md`, type: 'link' as const, linkname: 'big.md' })),
          ...Array.from({ length: 8 }, (_, i) => ({
            name: `soft-${i}.md`,
            type: 'symlink' as const,
            linkname: 'big.md',
          })),
        ]),
      'ARCHIVE_TOO_LARGE',
      /unpacks to 68\.0 MB with its links written as copies/,
    ],
  ];
  for (const [what, build, code, pattern] of hostile) {
    it(`refuses ${what} with ${code} and writes nothing`, async () => {
      const parent = await tempDir('aam-hostile-');
      await assert.rejects(extractArchive(await build(), join(parent, 'pkg')), rejects(code, pattern));
      assert.deepEqual(await readdir(parent), []);
    });
  }
});
