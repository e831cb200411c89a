import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKey } from 'openpgp';
import { isAamError } from '../../src/core/errors.ts';
import { signDetached } from '../../src/core/openpgp/sign.ts';
import { MAX_DELEGATION_FILES } from '../../src/core/registry/local-signatures.ts';
import {
  DELEGATION_TYPE,
  documentBytes,
  REVOCATION_TYPE,
  signedDocumentFile,
} from '../../src/core/signature/delegation-file.ts';
import { DELEGATIONS_PER_ACCOUNT, MAX_DELEGATION_FILE_BYTES } from '../../src/server/store/signers.ts';
import { startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * Anyone with an account stores delegations and revocations, and every client reads them all
 * (at most MAX_DELEGATION_FILES, 8 MiB): a stranger's files must never make that read fail, or
 * make the listing longer than clients read — either way every client would trust no delegation
 * of the registry, an owner's own included.
 */
describe('what the delegation listing can be made to hold', () => {
  let registry: TestRegistry;
  let signedFile: (document: Buffer) => Promise<{ name: string; bytes: Buffer }>;
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
  const revocation = (of: { name: string }, reason: string) =>
    signedFile(
      documentBytes({
        type: REVOCATION_TYPE,
        delegation: `sha256:${of.name.replace(/\.json$/, '')}`,
        reason,
        revoked_at: new Date().toISOString(),
      }),
    );

  before(async () => {
    registry = await startTestRegistry({ name: 'corp' });
    const { privateKey, publicKey } = await generateKey({ userIDs: [{ email: 'm@x.example' }], format: 'object' });
    const key = {
      key: privateKey,
      fingerprint: privateKey.getFingerprint().toUpperCase(),
      userIds: privateKey.getUserIDs(),
    };
    signedFile = async (document) =>
      signedDocumentFile({
        document,
        signature: { type: 'gpg', bytes: await signDetached(document, key), publicKey: publicKey.armor() },
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

  it("a flood of revocations stops at what clients read, and the owner's delegation is still served", async () => {
    const alice = await registry.token('alice', ['publish']);
    const legit = await delegation('@acme/*');
    await registry.client(alice).addDelegation(legit);
    const target = (await registry.client().readDelegations()).find((f) => f.name !== legit.name)!;
    let refused: unknown;
    let sent = 0;
    for (let account = 1; !refused; account++) {
      assert.ok(account <= MAX_DELEGATION_FILES / DELEGATIONS_PER_ACCOUNT + 2, 'the flood is bounded');
      const token = await registry.token(`flood${account}`, ['publish']);
      for (let i = 0; i < DELEGATIONS_PER_ACCOUNT && !refused; i++)
        refused = await registry
          .client(token)
          .addDelegation(await revocation(target, `spam ${sent++}`))
          .then(
            () => undefined,
            (e: unknown) => e,
          );
    }
    assert.ok(isAamError(refused) && /delegations_full/.test(refused.message), String(refused));
    const listed = await registry.client().readDelegations();
    assert.equal(listed.length, MAX_DELEGATION_FILES);
    assert.ok(listed.some((f) => f.name === legit.name));
  });
});
