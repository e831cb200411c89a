import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { VerificationStore } from '../../../src/core/verify/store/result-store.ts';
import type { StoredResult } from '../../../src/core/verify/store/workspace-record.ts';
import type { JobResult } from '../../../src/core/verify/checks/job.ts';
import { tempDir } from '../../helpers/temp.ts';
import { random } from '../../helpers/bundle-mutations.ts';

const LOCK = '/project/.aam/aam-lock.yaml';
/** Names a line must carry whole: a tab, a newline, quotes, a backslash, characters of every UTF-8 length. */
const NAMES = ['@acme/a', '@acme/tab\there', 'new\nline', '"quoted"\\', '@élodie/プロジェクト', '😀'];

/** A stored result of the shape the store keeps, `n` making each one different. */
function storedResult(name: string, n: number): StoredResult {
  return {
    key: `key-${n}`,
    summary: { version: `1.0.${n}`, source: 'acme', checksum: `sha256:${n}`, fileCount: n % 5 },
    result: {
      name,
      at: String(n),
      archiveOrigin: 'cache',
      evidence: { [`/p/${name}/${n}`]: `${n}:1:2:3`, '/gone': null },
      claims: [`/project/.cursor/prompts/${n}.md`],
      hidden: [],
      deployed: [],
      continuity: [],
      registryChanges: [],
      checks: { integrity: { ok: true }, signature: { state: 'none' } },
    } as unknown as JobResult,
  };
}

describe('the result store, a line a result, against a map', () => {
  it('reads the lines it can around those it cannot: no tab, no name, a line cut short', async () => {
    const dir = await tempDir('aam-lines-');
    try {
      const store = new VerificationStore(dir, 'salt');
      const [a, b] = [storedResult('@acme/a', 1), storedResult('@acme/b', 2)];
      store.remember(LOCK, '@acme/a', a);
      store.remember(LOCK, '@acme/b', b);
      await store.save();
      const file = `${dir}/${(await readdir(dir))[0]}`;
      const [header, lineA, lineB] = (await readFile(file, 'utf8')).split('\n');
      const damaged = [header, 'no tab here', '{not a name}\t{}', lineA, '\t', lineB!.slice(0, 40)].join('\n');
      await writeFile(file, damaged);
      const later = new VerificationStore(dir, 'salt');
      assert.deepEqual(later.all(LOCK), { '@acme/a': a });
      assert.equal(later.stored(LOCK, '@acme/b'), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const spills of [false, true]) {
    it(`gives back what it was told after any sequence of remembers, forgets, saves and re-reads${spills ? ' (written out as they come)' : ''}`, async () => {
      const dir = await tempDir('aam-lines-');
      try {
        const next = random(spills ? 7 : 3);
        const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
        const model = new Map<string, StoredResult>();
        let store = new VerificationStore(dir, 'salt', spills);
        /** What a later run reads back from the file, for every name. */
        const readBack = () => {
          const later = new VerificationStore(dir, 'salt');
          for (const name of NAMES) assert.deepEqual(later.stored(LOCK, name), model.get(name), name);
          assert.deepEqual(later.all(LOCK), Object.fromEntries([...model].filter(([name]) => NAMES.includes(name))));
        };
        for (let step = 0; step < 400; step++) {
          const roll = next();
          if (roll < 0.5) {
            const name = pick(NAMES);
            const stored = storedResult(name, step);
            store.remember(LOCK, name, stored);
            model.set(name, stored);
            // Written out (and no longer held), or held: never an earlier result.
            const now = store.stored(LOCK, name);
            if (spills && now === undefined) continue;
            assert.deepEqual(now, stored);
          } else if (roll < 0.6 && !spills) {
            // A package gone from the lock file (a store that writes out does not take results back).
            const kept = new Set(NAMES.filter(() => next() < 0.7));
            store.retain(LOCK, kept);
            for (const name of [...model.keys()]) if (!kept.has(name)) model.delete(name);
            for (const name of NAMES) if (!kept.has(name)) assert.equal(store.stored(LOCK, name), undefined, name);
          } else if (roll < 0.7 && !spills) {
            assert.deepEqual(store.all(LOCK), Object.fromEntries(model));
          } else if (roll < 0.9) {
            assert.deepEqual(await store.save(), []);
            readBack();
          } else {
            // A new run, after a save.
            assert.deepEqual(await store.save(), []);
            store.dispose();
            store = new VerificationStore(dir, 'salt', spills);
            readBack();
          }
        }
        assert.deepEqual(await store.save(), []);
        store.dispose();
        readBack();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
