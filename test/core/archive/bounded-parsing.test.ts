import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readArchive } from '../../../src/core/archive/read.ts';
import { MAX_EXTENSION_BYTES } from '../../../src/core/archive/limits.ts';
import { MAX_MANIFEST_CHARS, parseManifest } from '../../../src/core/package/manifest.ts';
import { MANIFEST } from '../../helpers/tar.ts';
import { file, gnuLong, pax, paxRecord, tarGz } from '../../helpers/tar-raw.ts';

/**
 * What a publish makes the registry parse is bounded before it is parsed (amplify2-review): a 75 KB archive
 * held a 49 MB pax header of tiny records (3 s of the server's thread), and a 1.5 MB aam.yaml of short keys
 * took the YAML parser 7 s. Extension headers are at most 64 KB, manifests at most 128 KB.
 */
describe('archive and manifest parsing is bounded', () => {
  const hello = () => file('prompts/hello.md', 'hello\n');

  it('refuses a pax or GNU long-name header over the limit, and reads one under it', async () => {
    const records = (bytes: number) => {
      const one = paxRecord('comment', 'x');
      return Array.from({ length: Math.ceil(bytes / one.length) }, () => ['comment', 'x'] as [string, string]);
    };
    for (const [label, header] of [
      ['pax', pax(records(MAX_EXTENSION_BYTES + 1024))],
      ['global pax', pax(records(MAX_EXTENSION_BYTES + 1024), 'g')],
      ['GNU long name', gnuLong(`prompts/${'a'.repeat(MAX_EXTENSION_BYTES)}.md`)],
    ] as const)
      await assert.rejects(
        readArchive(tarGz(file('aam.yaml', MANIFEST), header, hello())),
        (error: Error & { code?: string }) =>
          error.code === 'ARCHIVE_UNSAFE' &&
          /extension header \(pax or GNU long name\) of 6\d KB; the limit is 64 KB/.test(error.message),
        label,
      );
    const read = await readArchive(
      tarGz(file('aam.yaml', MANIFEST), pax(records(MAX_EXTENSION_BYTES - 1024)), hello()),
    );
    assert.ok(read.files.some((f) => f.path === 'prompts/hello.md'));
  });

  it('refuses a manifest over the limit before parsing it, and reads a large plain one under it', () => {
    const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: 1`).join('\n');
    const big = `name: tool\nversion: 1.0.0\n${keys(20_000)}\n`;
    assert.ok(big.length > MAX_MANIFEST_CHARS);
    assert.throws(
      () => parseManifest(big, 'aam.yaml'),
      (error: Error & { code?: string }) =>
        error.code === 'MANIFEST_INVALID' && /^aam\.yaml is \d+ KB; a manifest is at most 128 KB$/.test(error.message),
    );
    const artifacts = Array.from(
      { length: 900 },
      (_, i) => `    - name: p${i}\n      path: prompts/p${i}.md\n      description: Prompt number ${i}`,
    ).join('\n');
    const large = `name: tool\nversion: 1.0.0\ndescription: Many prompts\nartifacts:\n  prompts:\n${artifacts}\n`;
    assert.ok(large.length > 64 * 1024 && large.length < MAX_MANIFEST_CHARS);
    assert.equal(parseManifest(large, 'aam.yaml').artifacts.prompts?.length, 900);
  });
});

describe('inflating an archive that unpacks large', () => {
  /** Whether the event loop turned (a setImmediate ran) while the archive was read. */
  const turnsWhile = async (bytes: Buffer) => {
    let turned = false;
    setImmediate(() => (turned = true));
    const read = await readArchive(bytes);
    return { turned, read };
  };

  it('goes to the thread pool when the trailer says it is large, however small the gzip', async () => {
    const bomb = tarGz(file('aam.yaml', MANIFEST), file('prompts/hello.md', Buffer.alloc(8 * 1024 * 1024)));
    assert.ok(bomb.length < 64 * 1024);
    assert.equal((await turnsWhile(bomb)).turned, true, 'not inflated on this thread');
    const small = tarGz(file('aam.yaml', MANIFEST), file('prompts/hello.md', 'hello\n'));
    assert.equal((await turnsWhile(small)).turned, false, 'a small archive is still read inline');
  });

  it('an archive whose trailer understates its size is still held to it, and refused', async () => {
    const bomb = tarGz(file('aam.yaml', MANIFEST), file('prompts/hello.md', Buffer.alloc(3 * 1024 * 1024)));
    bomb.writeUInt32LE(1024, bomb.length - 4); // the trailer lies: 1 KB
    await assert.rejects(
      readArchive(bomb),
      /not gzip-compressed data or is truncated/,
      'the length check still fails it',
    );
  });
});
