import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { blobKey, DirBlobStore } from '../../src/server/blobs.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * A publish has its archive written and flushed before its transaction, under
 * a temporary name (`stage`); the transaction only names it (`commit`) once
 * the publish is allowed, and a refused one removes it (`discard`). Until it
 * is named, no reader finds the bytes under their key.
 */
describe('a staged blob', () => {
  const store = async () => new DirBlobStore(join(await tempDir('aam-stage-'), 'blobs'));
  const temporary = async (blobs: DirBlobStore) => readdir(join(blobs.root, '.tmp')).catch(() => [] as string[]);

  it('is written under a temporary name, found under its key only once committed', async () => {
    const blobs = await store();
    const bytes = randomBytes(4096);
    const staged = await blobs.stage(bytes);
    assert.equal(staged.key, blobKey(bytes));
    assert.equal(await blobs.get(staged.key), undefined, 'readable under its key before it was allowed');
    const [temp] = await temporary(blobs);
    assert.ok(temp?.startsWith(staged.key), `temporary files: ${temp}`);
    assert.ok((await readFile(join(blobs.root, '.tmp', temp!))).equals(bytes), 'the temporary file is not the bytes');

    assert.equal(await staged.commit(), staged.key);
    assert.ok((await blobs.get(staged.key))?.equals(bytes));
    assert.deepEqual(await temporary(blobs), []);
    // A batch that named it and then failed leaves it to the publish stored alone, which commits again.
    assert.equal(await staged.commit(), staged.key);
    await staged.discard();
    assert.ok((await blobs.get(staged.key))?.equals(bytes), 'discarding after the commit removed the blob');
  });

  it('discarded (a refused publish): nothing left, under its key or a temporary name', async () => {
    const blobs = await store();
    const staged = await blobs.stage(randomBytes(1024));
    await staged.discard();
    assert.deepEqual(await temporary(blobs), []);
    assert.equal(await blobs.get(staged.key), undefined);
  });

  it('already stored: nothing written, and committing keeps the blob', async () => {
    const blobs = await store();
    const bytes = randomBytes(2048);
    await blobs.put(bytes);
    const staged = await blobs.stage(bytes);
    assert.deepEqual(await temporary(blobs), []);
    assert.equal(await staged.commit(), staged.key);
    assert.ok((await blobs.get(staged.key))?.equals(bytes));
  });

  it('its temporary file gone before the commit (swept, removed): the commit writes the bytes anew', async () => {
    const blobs = await store();
    const bytes = randomBytes(2048);
    const staged = await blobs.stage(bytes);
    for (const name of await temporary(blobs)) await rm(join(blobs.root, '.tmp', name));
    assert.equal(await staged.commit(), staged.key);
    assert.ok((await blobs.get(staged.key))?.equals(bytes), 'the commit named nothing');
  });

  it('a damaged blob under its key when staged: the commit writes the bytes anew', async () => {
    const blobs = await store();
    const bytes = randomBytes(2048);
    const key = await blobs.put(bytes);
    const path = join(blobs.root, key.slice(0, 2), key.slice(2, 4), key);
    await rm(path);
    await writeFile(path, Buffer.alloc(bytes.length));
    const staged = await blobs.stage(bytes);
    assert.equal(await staged.commit(), key);
    assert.ok((await blobs.get(key))?.equals(bytes), 'the damaged blob was kept');
  });
});
