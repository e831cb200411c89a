import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readLockFile, readLockLazily } from '../../../src/core/lockfile/lockfile.ts';
import { readRecordedPackages, readTrustRecord } from '../../../src/core/record/trust-record.ts';
import { WRITTEN_BY_AAM_LIMIT } from '../../../src/core/yaml/io.ts';
import { tempDir } from '../../helpers/temp.ts';

/**
 * verify2-review F1: a pull request's lock file or trust record that the fast reader leaves to the full YAML
 * parser (repeated keys, flow collections) cost about 4 s and 500 MB a megabyte: an 8 MB lock file held
 * verify for 30 s and 2.5 GB. aam and AAM Trust write both as the fast reader reads them; past
 * WRITTEN_BY_AAM_LIMIT another text is refused at once, saying how to write it again.
 */
describe('a lock file or trust record not written as aam writes it', () => {
  const repeated = (bytes: number) => `lockfile_version: 1\npackages: {}\n${'k: 1\n'.repeat(bytes / 5)}`;

  // The full parser would say "Map keys must be unique" (after seconds): this refusal comes before it.
  it('is refused without the full parse past the limit, by every reader', async () => {
    const dir = await tempDir('aam-full-limit-');
    const path = join(dir, 'aam-lock.yaml');
    await writeFile(path, repeated(2 * 1024 * 1024));
    for (const read of [readLockFile, readLockLazily, readTrustRecord, readRecordedPackages])
      await assert.rejects(read(path), (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, 'LOCKFILE_INVALID');
        assert.match(error.message, /needs the full YAML parser .* too large for it \(at most 1024 KB\)/);
        assert.match(error.hint ?? '', /aam install or aam-trust install/);
        return true;
      });
  });

  it("the fast reader reads a file name with '#' as PyYAML (the real aam) writes it", async () => {
    const dir = await tempDir('aam-full-limit-');
    const path = join(dir, 'aam-lock.yaml');
    const files = Array.from(
      { length: 30_000 },
      (_, i) => `          skills/csharp/references/C#${i}.md: ${'a'.repeat(64)}`,
    );
    await writeFile(
      path,
      `lockfile_version: 1\npackages:\n  tool:\n    version: 1.0.0\n    source: team\n    checksum: sha256:${'b'.repeat(64)}\n    file_checksums:\n      algorithm: sha256\n      files:\n${files.join('\n')}\n`,
    );
    // Over the limit, so only the fast reader could have read it.
    assert.ok(files.join('\n').length > WRITTEN_BY_AAM_LIMIT);
    const lock = await readLockFile(path);
    assert.equal(Object.keys(lock.packages.tool?.file_checksums?.files ?? {}).length, 30_000);
  });

  it('is still read under the limit: a flow mapping a person wrote', async () => {
    const dir = await tempDir('aam-full-limit-');
    const path = join(dir, 'aam-lock.yaml');
    const entry = '{version: 1.0.0, source: team, checksum: "sha256:' + 'a'.repeat(64) + '"}';
    await writeFile(path, `lockfile_version: 1\npackages:\n  tool: ${entry}\n`);
    assert.ok(WRITTEN_BY_AAM_LIMIT > 1024);
    assert.equal((await readLockFile(path)).packages.tool?.version, '1.0.0');
  });
});
