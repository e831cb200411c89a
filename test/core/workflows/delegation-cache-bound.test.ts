import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { signDetached } from '../../../src/core/openpgp/sign.ts';
import { DELEGATION_TYPE, documentBytes, signedDocumentFile } from '../../../src/core/signature/delegation-file.ts';
import { delegateOf, delegateSigning, revokeDelegation } from '../../../src/core/workflows/delegate.ts';
import { prepareOffline } from '../../../src/core/workflows/prepare-offline.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';
import { signersWorld, statusOf } from '../../helpers/signers.ts';

const NEXT_YEAR = new Date(Date.now() + 365 * 86_400_000);

/**
 * delegation-review F2: an install kept in the machine's evidence cache every delegation covering the package
 * whose signature verified, by anyone, and prepare-offline every covering one unchecked. The cache serves every
 * project, and past the files clients read it trusts none of its delegations: a registry serving a few hundred
 * junk `*` delegations turned delegation off on the machine. Now only the delegations a signature was trusted
 * through are kept, with the revocations of those and of delegations kept before.
 */
describe('the evidence cache keeps the delegations that were used, not every one a registry serves', () => {
  const local = useLocalSigstore();

  it("an install and prepare-offline keep the chain used and its revocation, never a stranger's delegations", async () => {
    const s = await signersWorld(local, () => 'trusted_identities: ["alice@example.com"]\non_signature_failure: error');
    const { verifier } = await s.w.services();
    const alice = s.sigstore('alice@example.com');
    const made = await delegateSigning({
      registry: s.w.registry,
      pattern: '@acme/*',
      delegate: delegateOf('bob@partner.io'),
      until: NEXT_YEAR,
      maxDepth: 0,
      signing: alice,
      verifier,
    });
    await s.publish('@acme/tool', '1.0.0', [s.sigstore('bob@partner.io')]);
    // A stranger's `*` delegations, each with its key: their signatures verify, and nobody trusts them.
    const { privateKey, publicKey } = await generateKey({ userIDs: [{ email: 'm@evil.example' }], format: 'object' });
    const key = {
      key: privateKey,
      fingerprint: privateKey.getFingerprint().toUpperCase(),
      userIds: privateKey.getUserIDs(),
    };
    const served = join(s.w.registryDir, 'delegations');
    await mkdir(served, { recursive: true });
    for (let n = 0; n < 20; n++) {
      const document = documentBytes({
        type: DELEGATION_TYPE,
        pattern: '*',
        delegate: { identity: `m${n}@evil.example` },
        until: '2030-01-01T00:00:00.000Z',
        issued_at: new Date().toISOString(),
        max_depth: 0,
      });
      const file = signedDocumentFile({
        document,
        signature: { type: 'gpg', bytes: await signDetached(document, key), publicKey: publicKey.armor() },
      });
      await writeFile(join(served, file.name), file.bytes);
    }
    await s.install('@acme/tool');
    assert.equal(statusOf((await s.verify()).find((r) => r.name === '@acme/tool')), 'verified/pass/VERIFIED');
    const cache = join(s.w.home, '.aam', 'cache');
    const kept = async () => (await readdir(join(cache, 'delegations'))).map((n) => `sha256:${n.slice(0, 64)}`).sort();
    assert.deepEqual(await kept(), [made.id]);
    const offline = async () => {
      const { config, cache: evidence, workspace } = await s.w.services();
      await prepareOffline({ workspace, config, cache: evidence, homeDir: s.w.home });
    };
    await offline();
    assert.deepEqual(await kept(), [made.id], 'prepare-offline keeps the same');
    // Alice revokes it: prepare-offline keeps the revocation of a delegation it kept.
    const revoked = await revokeDelegation({
      registry: s.w.registry,
      prefix: made.id.slice(7, 19),
      reason: 'partner left',
      signing: alice,
      verifier,
    });
    await offline();
    assert.deepEqual(await kept(), [made.id, revoked.id].sort());
  });
});
