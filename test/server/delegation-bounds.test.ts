import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKey } from 'openpgp';
import { isAamError } from '../../src/core/errors.ts';
import { signDetached } from '../../src/core/openpgp/sign.ts';
import {
  DELEGATION_TYPE,
  documentBytes,
  REVOCATION_TYPE,
  signedDocumentFile,
} from '../../src/core/signature/delegation-file.ts';
import { MAX_DELEGATION_FILE_BYTES } from '../../src/server/store/signers.ts';
import { MAX_DELEGATION_FILES } from '../../src/core/registry/local-signatures.ts';
import { startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

type SigningKey = Parameters<typeof signDetached>[1] & { armor: string };

/** An OpenPGP key for an address, made once. */
const keys = new Map<string, Promise<SigningKey>>();
function keyOf(email: string): Promise<SigningKey> {
  let made = keys.get(email);
  if (!made)
    keys.set(
      email,
      (made = generateKey({ userIDs: [{ email }], format: 'object' }).then(({ privateKey, publicKey }) => ({
        key: privateKey,
        fingerprint: privateKey.getFingerprint().toUpperCase(),
        userIds: privateKey.getUserIDs(),
        armor: publicKey.armor(),
      }))),
    );
  return made;
}

/** The same file with its signature's bytes garbage: what the registry stored unchecked before. */
function garbled(file: { name: string; bytes: Buffer }): { name: string; bytes: Buffer } {
  const raw = JSON.parse(file.bytes.toString('utf8')) as { signature: { bytes: string } };
  raw.signature.bytes = Buffer.from('not a signature').toString('base64');
  return { name: file.name, bytes: Buffer.from(JSON.stringify(raw)) };
}

/**
 * Anyone with an account stores delegations and revocations, and every client reads them all
 * (at most MAX_DELEGATION_FILES, 8 MiB): a stranger's files must never make that read fail, or
 * make the listing longer than clients read — either way every client would trust no delegation
 * of the registry, an owner's own included.
 */
describe('what the delegation listing can be made to hold', () => {
  let registry: TestRegistry;
  let signedFile: (document: Buffer, by?: SigningKey) => Promise<{ name: string; bytes: Buffer }>;
  const delegation = (pattern: string) =>
    signedFile(
      documentBytes({
        type: DELEGATION_TYPE,
        pattern,
        delegate: { identity: 'release@acme.example' },
        until: '2030-01-01T00:00:00.000Z',
        issued_at: new Date().toISOString(),
        max_depth: 0,
      }),
    );
  const revocation = (of: { name: string }, reason: string, by?: SigningKey) =>
    signedFile(
      documentBytes({
        type: REVOCATION_TYPE,
        delegation: `sha256:${of.name.replace(/\.json$/, '')}`,
        reason,
        revoked_at: new Date().toISOString(),
      }),
      by,
    );

  before(async () => {
    registry = await startTestRegistry({ name: 'corp' });
    const mallory = await keyOf('m@x.example');
    signedFile = async (document, by = mallory) =>
      signedDocumentFile({
        document,
        signature: { type: 'gpg', bytes: await signDetached(document, by), publicKey: by.armor },
      });
  });
  after(async () => registry?.close());

  it('refuses a file larger than a delegation needs (a revocation with a long reason), storing nothing', async () => {
    const mallory = await registry.token('mallory', ['publish']);
    const own = await delegation('@mallory/*');
    await registry.client(mallory).addDelegation(own);
    const large = await revocation(own, 'x'.repeat(MAX_DELEGATION_FILE_BYTES));
    await assert.rejects(
      registry.client(mallory).addDelegation(large),
      (e) => isAamError(e) && /400|413/.test(e.message),
    );
    const listed = await registry.client().readDelegations();
    assert.deepEqual(
      listed.map((f) => f.name),
      [own.name],
    );
  });

  it("a delegator revokes once, and always finds room: others' revocations stop short of it", async () => {
    const alice = await registry.token('alice', ['publish']);
    const legit = await delegation('@acme/*');
    await registry.client(alice).addDelegation(legit);
    const target = (await registry.client().readDelegations()).find((f) => f.name !== legit.name)!;
    const flood = registry.client(await registry.token('flood1', ['publish']));
    const refusal = (file: { name: string; bytes: Buffer }) =>
      flood.addDelegation(file).then(
        () => 'stored',
        (e: unknown) => (isAamError(e) ? e.message : String(e)),
      );
    // delegation-review F1: garbage signatures were stored, and never removed.
    assert.match(await refusal(garbled(await revocation(target, 'x'))), /signature does not verify/);
    // The delegator's own, once: another is the same revocation again.
    assert.equal(await refusal(await revocation(target, 'spam 0')), 'stored');
    assert.match(await refusal(await revocation(target, 'spam 1')), /already revoked here by its signer/);
    // Another signer's counts for a client that trusts that signer (diff3-review 2): kept, while there is room.
    const root = await keyOf('root@x.example');
    assert.equal(await refusal(await revocation(legit, 'key lost', root)), 'stored');
    // Others' revocations fill what is left, short of the room kept for each delegation's own signer.
    const kept = await registry.client().readDelegations();
    const filler = kept.find((f) => f.name !== legit.name && f.name !== target.name)!;
    const junk = MAX_DELEGATION_FILES - kept.length - 1; // room kept: legit is not yet revoked by its signer
    try {
      for (let i = 0; i < junk; i++)
        await registry.server.db.query(
          "INSERT INTO delegations (name, file, kind, revokes, by_delegator) VALUES ($1, $2, 'revocation', $3, false)",
          [`e${i.toString(16).padStart(63, '0')}.json`, Buffer.from('{}'), `sha256:${filler.name.slice(0, 64)}`],
        );
      assert.match(await refusal(await revocation(legit, 'again', root)), /room for each delegation's own signer/);
      await registry.client(alice).addDelegation(await revocation(legit, 'lost key'));
      const listed = await registry.client().readDelegations();
      assert.equal(listed.length, MAX_DELEGATION_FILES);
      assert.ok(listed.some((f) => f.name === legit.name));
    } finally {
      await registry.server.db.query("DELETE FROM delegations WHERE file = '{}'::bytea");
    }
  });

  it("its operator may remove a revocation that does not verify or is another's than the delegator's, not the delegator's own", async () => {
    const operator = registry.client(await registry.token('root', ['operator']));
    const own = await delegation('@kept/*');
    await registry.client(await registry.token('bob', ['publish'])).addDelegation(own);
    const junk = garbled(await revocation(own, 'junk'));
    await registry.server.db.query(
      "INSERT INTO delegations (name, file, kind, revokes) VALUES ($1, $2, 'revocation', NULL)",
      [junk.name, junk.bytes],
    );
    await operator.removeDelegation(junk.name);
    // Another signer's revocation is its operator's to remove too; the delegator's own is kept.
    const other = await revocation(own, 'retired too', await keyOf('root@x.example'));
    await registry.client(await registry.token('bob', ['publish'])).addDelegation(other);
    await operator.removeDelegation(other.name);
    // …and stays so once its delegation is gone (diff4-review F11: it was kept for good).
    const later = await revocation(own, 'retired, by another', await keyOf('root2@x.example'));
    await registry.client(await registry.token('bob', ['publish'])).addDelegation(later);
    const real = await revocation(own, 'retired');
    await registry.client(await registry.token('bob', ['publish'])).addDelegation(real);
    await assert.rejects(
      operator.removeDelegation(real.name),
      (e) => isAamError(e) && /revocations are kept/.test(e.message),
    );
    await operator.removeDelegation(own.name);
    await operator.removeDelegation(later.name);
    await assert.rejects(
      operator.removeDelegation(real.name),
      (e) => isAamError(e) && /revocations are kept/.test(e.message),
    );
    assert.ok((await registry.client().readDelegations()).some((f) => f.name === real.name));
  });
});
