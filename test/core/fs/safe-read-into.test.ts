import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READ_LIMITS, readRegularFileIntoSync, readRegularFileSync } from '../../../src/core/fs/safe-read.ts';
import type { ReadKind } from '../../../src/core/fs/safe-read.ts';

/** What a read gives: its bytes, nothing, or the error (code and message). */
function outcome(read: () => Buffer | undefined): unknown {
  try {
    const bytes = read();
    return bytes === undefined ? 'nothing' : { bytes: Buffer.from(bytes).toString('hex') };
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message };
  }
}

/**
 * The other packages' manifests are read into one buffer without their
 * stamp: the same bytes, nothing and refusals as the stamped read, for every
 * kind of path that can stand where a manifest should.
 */
describe('reading a file into a scratch buffer', () => {
  it('gives what the stamped read gives, for files, links, folders, FIFOs, missing and oversized files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'aam-read-into-'));
    try {
      const scratch = Buffer.alloc(16, 0xaa);
      const cases: [string, ReadKind][] = [];
      const file = async (name: string, bytes: Buffer | string, kind: ReadKind = 'manifest') => {
        await writeFile(join(root, name), bytes);
        cases.push([name, kind]);
      };
      await file('empty', '');
      await file('small', 'name: a\n');
      await file('exactly-scratch', 'x'.repeat(16));
      await file('larger', 'y'.repeat(17));
      await file('at-limit', Buffer.alloc(READ_LIMITS.registry, 0x61), 'registry');
      await file('over-limit', Buffer.alloc(READ_LIMITS.registry + 1, 0x61), 'registry');
      await symlink(join(root, 'small'), join(root, 'link'));
      await mkdir(join(root, 'folder'));
      cases.push(['link', 'manifest'], ['folder', 'manifest'], ['missing', 'manifest'], ['missing/below', 'manifest']);
      if (process.platform !== 'win32') {
        execFileSync('mkfifo', [join(root, 'fifo')]);
        cases.push(['fifo', 'manifest']);
      }
      for (const [name, kind] of cases) {
        const path = join(root, name);
        const expected = outcome(() => readRegularFileSync(path, kind)?.bytes);
        assert.deepEqual(
          outcome(() => readRegularFileIntoSync(path, kind, scratch)),
          expected,
          name,
        );
      }
      // A file that fits is a view of the scratch buffer; a larger one is not.
      assert.equal(readRegularFileIntoSync(join(root, 'small'), 'manifest', scratch)!.buffer, scratch.buffer);
      assert.notEqual(readRegularFileIntoSync(join(root, 'larger'), 'manifest', scratch)!.buffer, scratch.buffer);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
