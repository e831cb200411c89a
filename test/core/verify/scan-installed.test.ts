import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scanInstalled } from '../../../src/core/scan/scan-installed.ts';
import { tempDir } from '../../helpers/temp.ts';

const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('scanning an installed folder against the archive', () => {
  it('reports the true hash of every installed file whether or not it matches its archive entry byte for byte', async () => {
    const dir = await tempDir('aam-scan-');
    await mkdir(join(dir, 'prompts'));
    const entry = Buffer.alloc(3 * 1024 * 1024 + 17, 'abcdefgh');
    const variants: Record<string, Buffer> = {
      'same.md': entry,
      'prompts/flipped-late.md': Buffer.from(entry).fill('z', entry.length - 1),
      'prompts/flipped-early.md': Buffer.from(entry).fill('z', 5, 6),
      'short.md': entry.subarray(0, entry.length - 1),
      'long.md': Buffer.concat([entry, Buffer.from('!')]),
      'empty.md': Buffer.alloc(0),
    };
    for (const [path, data] of Object.entries(variants)) await writeFile(join(dir, path), data);
    const paths = Object.keys(variants);
    const expected = Object.fromEntries(paths.map((p) => [p, sha(entry)]));
    const contents = new Map(paths.map((p) => [p, entry]));
    const { diff, scan } = scanInstalled(dir, expected, undefined, contents);
    for (const path of paths) assert.equal(scan.files[path]?.sha256, sha(variants[path]!), path);
    assert.deepEqual(diff.modified, paths.filter((p) => p !== 'same.md').sort());
    assert.deepEqual(scanInstalled(dir, expected).scan.files, scan.files, 'hashing every file gives the same scan');
  });
});
