import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { PacketList, readKey, reformatKey, UserIDPacket } from 'openpgp';
import type { PrivateKey } from 'openpgp';
import { DirectoryKeyring, importPublicKey } from '../../../src/core/openpgp/keyring.ts';
import { mergeKeyCopies } from '../../../src/core/openpgp/key-merge.ts';
import { verifyDetachedSignature } from '../../../src/core/openpgp/verify.ts';
import { revokedKeyAndSignature } from '../../helpers/revoked-key.ts';
import { tempDir } from '../../helpers/temp.ts';

const data = new TextEncoder().encode('an archive, signed after the key was stolen');

/** The key with a user ID packet that no signature binds to it, appended: anyone can do this to anyone's key. */
async function withUnsignedUserId(armored: string, userId: string): Promise<string> {
  const key = await readKey({ armoredKey: armored });
  const list = new PacketList();
  list.push(...key.toPacketList(), UserIDPacket.fromObject({ name: userId, email: 'torvalds@kernel.org' }));
  return (await readKey({ binaryKey: list.write() })).armor();
}

describe('importing a key that is already in the AAM keyring merges the copies', () => {
  let privateKey: PrivateKey;
  let stale: string; // the key as a stale keyserver still serves it
  let revoked: string; // the key with its owner's key-compromise revocation
  let signature: Uint8Array;
  before(async () => {
    ({ privateKey, stale, revoked, signature } = await revokedKeyAndSignature(data, {
      subkeys: [{ sign: true }],
      reason: 'stolen',
    }));
  });

  const verdict = async (dir: string) =>
    (await verifyDetachedSignature(data, signature, new DirectoryKeyring(dir))).state;

  it('a copy without the revocation leaves the stored key revoked, unchanged on disk, and says it kept the revocation', async () => {
    const dir = await tempDir('aam-keys-');
    const [first] = await importPublicKey(revoked, dir);
    assert.equal(first!.change.status, 'new');
    const stored = await stat(first!.path);
    const [again] = await importPublicKey(stale, dir);
    assert.deepEqual(again!.change, { status: 'unchanged', added: [], kept: ['the revocation of the key'] });
    assert.equal((await stat(again!.path)).ino, stored.ino, 'the file was rewritten');
    assert.equal(await verdict(dir), 'invalid');
  });

  it('a copy with the revocation adds it to a stored key that lacked it, and says so', async () => {
    const dir = await tempDir('aam-keys-');
    await importPublicKey(stale, dir);
    assert.equal(await verdict(dir), 'valid');
    const [merged] = await importPublicKey(revoked, dir);
    assert.deepEqual(merged!.change, { status: 'updated', added: ['the revocation of the key'], kept: [] });
    assert.equal(await verdict(dir), 'invalid');
  });

  it('the same copy again is unchanged', async () => {
    const dir = await tempDir('aam-keys-');
    await importPublicKey(revoked, dir);
    const [again] = await importPublicKey(revoked, dir);
    assert.deepEqual(again!.change, { status: 'unchanged', added: [], kept: [] });
  });

  it('a newer copy adds its user IDs and subkeys; an older one takes none of them away', async () => {
    const dir = await tempDir('aam-keys-');
    await importPublicKey(stale, dir);
    const grown = await (
      await reformatKey({
        privateKey,
        userIDs: [
          { name: 'Alice', email: 'alice@example.com' },
          { name: 'Alice', email: 'alice@work.example' },
        ],
        format: 'object',
      })
    ).privateKey.addSubkey({ sign: true });
    const newSubkey = grown.subkeys.at(-1)!.getFingerprint().toUpperCase();
    const [updated] = await importPublicKey(grown.toPublic().armor(), dir);
    assert.equal(updated!.change.status, 'updated');
    assert.ok(updated!.change.added.includes('user ID Alice <alice@work.example>'), updated!.change.added.join('; '));
    assert.ok(updated!.change.added.includes(`subkey ${newSubkey}`), updated!.change.added.join('; '));
    assert.deepEqual(updated!.userIds, ['Alice <alice@example.com>', 'Alice <alice@work.example>']);
    const [older] = await importPublicKey(stale, dir);
    assert.equal(older!.change.status, 'unchanged');
    const kept = await readKey({ armoredKey: await readFile(older!.path, 'utf8') });
    assert.deepEqual(kept.getUserIDs(), ['Alice <alice@example.com>', 'Alice <alice@work.example>']);
    assert.ok(kept.subkeys.some((s) => s.getFingerprint().toUpperCase() === newSubkey));
  });

  it('a user ID the key never signed is neither added to a stored key nor stored with a new one', async () => {
    const forged = await withUnsignedUserId(stale, 'Linus Torvalds');
    const dir = await tempDir('aam-keys-');
    await importPublicKey(stale, dir);
    const [merged] = await importPublicKey(forged, dir);
    assert.deepEqual(merged!.change, { status: 'unchanged', added: [], kept: [] });
    const fresh = await tempDir('aam-keys-');
    const [stored] = await importPublicKey(forged, fresh);
    assert.deepEqual(stored!.userIds, ['Alice <alice@example.com>']);
    const onDisk = await readKey({ armoredKey: await readFile(stored!.path, 'utf8') });
    assert.deepEqual(onDisk.getUserIDs(), ['Alice <alice@example.com>']);
    assert.equal(await verdict(fresh), 'valid');
  });

  it('merging never drops what the stored copy has, whatever the order of the copies', async () => {
    const old = await readKey({ armoredKey: stale });
    const withRevocation = await readKey({ armoredKey: revoked });
    for (const [stored, incoming] of [
      [withRevocation, old],
      [old, withRevocation],
    ] as const) {
      const { key } = await mergeKeyCopies(stored, incoming);
      assert.equal(key.revocationSignatures.length, 1);
      assert.equal(key.subkeys.length, 1);
      assert.equal(await key.isRevoked(), true);
    }
  });
});
