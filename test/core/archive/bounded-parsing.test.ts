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
