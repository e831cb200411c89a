import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { VerificationStore } from '../../../src/core/verify/store/result-store.ts';
import type { StoredResult } from '../../../src/core/verify/store/workspace-record.ts';
import type { JobResult } from '../../../src/core/verify/checks/job.ts';
import { tempDir } from '../../helpers/temp.ts';

const LOCK = '/project/.aam/aam-lock.yaml';

/** A stored result whose text is `size` long or so, with characters of several UTF-8 lengths (a 64 KB piece may end inside one). */
function storedResult(name: string, size: number, key = 'k1'): StoredResult {
  const evidence: Record<string, string | null> = {};
  // Each entry is about 50 characters.
  for (let i = 0; i * 50 < size; i++) evidence[`/home/élodie/プロジェクト/${name}/${i}.md`] = `${i}:1:2:3`;
  return {
    key,
    summary: { version: '1.0.0', source: 'acme', checksum: `sha256:${name}`, fileCount: 1 },
    result: { name, evidence, at: '1' } as unknown as JobResult,
  };
}

describe('a result store that writes results out as they come (the CLI’s)', () => {
  it('saves what an ordinary store saves, holds none of it, and leaves no file of its own behind', async () => {
    const dir = await tempDir('aam-spill-');
    try {
      const results = {
        '@acme/a': storedResult('@acme/a', 200_000),
        '@acme/b': storedResult('@acme/b', 10),
        '@acme/c': storedResult('@acme/c', 70_000),
      };
      const spilling = new VerificationStore(dir, 'salt', true);
      const ordinary = new VerificationStore(undefined, 'salt');
      for (const [name, stored] of Object.entries(results)) {
        spilling.remember(LOCK, name, stored);
        ordinary.remember(LOCK, name, stored);
      }
      assert.equal(spilling.stored(LOCK, '@acme/a'), undefined);
      assert.deepEqual(await spilling.save(), []);
      const [file] = (await readdir(dir)).filter((f) => f.endsWith('.json'));
      // The file: a header line, then a line a result (name, tab, result); a name's last line wins.
      const read = async () => {
        const [header, ...lines] = (await readFile(`${dir}/${file}`, 'utf8')).split('\n');
        assert.equal(JSON.parse(header!).lockFile, LOCK);
        assert.equal(lines.pop(), '', 'the last line ends with a newline');
        return Object.fromEntries(
          lines.map((line) => {
            const tab = line.indexOf('\t');
            return [JSON.parse(line.slice(0, tab)) as string, JSON.parse(line.slice(tab + 1)) as unknown];
          }),
        );
      };
      assert.deepEqual(await read(), JSON.parse(JSON.stringify(ordinary.all(LOCK))));

      // Remembered again: the later result is held, and wins; a later save (the policy
      // acknowledged) still has every result.
      const again = storedResult('@acme/b', 100, 'k2');
      spilling.remember(LOCK, '@acme/b', again);
      ordinary.remember(LOCK, '@acme/b', again);
      assert.deepEqual(spilling.stored(LOCK, '@acme/b'), again);
      spilling.setPolicy(LOCK, { restricted: false } as never, 'now');
      assert.deepEqual(await spilling.save(), []);
      assert.deepEqual(await read(), JSON.parse(JSON.stringify(ordinary.all(LOCK))));

      spilling.dispose();
      assert.deepEqual((await readdir(dir)).sort(), [file]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
