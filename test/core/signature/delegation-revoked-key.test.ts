import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enums, generateKey, revokeKey } from 'openpgp';
import { importPublicKey } from '../../../src/core/openpgp/keyring.ts';
import { createSignatureVerifier } from '../../../src/core/signature/verifier.ts';
import { delegateSigning } from '../../../src/core/workflows/delegate.ts';
import { installPackages } from '../../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../../src/core/workflows/publish.ts';
import type { Signing } from '../../../src/core/workflows/publish.ts';
import { makeWorld } from '../../helpers/workspace.ts';

/**
 * A delegation document brings its signer's public key, which says only which key signed it.
 * Alice's key was stolen and the user holds her key-compromise revocation. The thief adds a
 * signing subkey to a copy without the revocation and signs a delegation with it: the user's
 * keyrings know no key with that subkey's id, and the copy the document brings, taken alone,
 * would make it Alice's. It is merged with the user's copy of Alice's key, revocation and all.
 */
describe('a delegation signed with a revoked key, bringing a copy of the key without the revocation', () => {
  it('is refused when made, and an install through it fails', async () => {
    const w = await makeWorld();
    const keysDir = join(w.home, '.aam', 'keys');
    const { privateKey: alice } = await generateKey({
      userIDs: [{ name: 'Alice', email: 'alice@example.com' }],
      format: 'object',
    });
    const aliceFpr = alice.getFingerprint().toUpperCase();
    const { privateKey: mallory } = await generateKey({
      userIDs: [{ name: 'Mallory', email: 'mallory@evil.example' }],
      format: 'object',
    });
    const revoked = await revokeKey({
      key: alice,
      reasonForRevocation: { flag: enums.reasonForRevocation.keyCompromised },
      format: 'armored',
    });
    await importPublicKey(revoked.publicKey, keysDir);
    await importPublicKey(mallory.toPublic().armor(), keysDir);
    await w.writeGlobalConfig(`trusted_keys: ["${aliceFpr}"]\nrequire_signature: true\non_signature_failure: error`);

    const stolen = join(w.root, 'stolen.asc');
    await writeFile(stolen, (await alice.addSubkey({ sign: true })).armor());
    const malloryKey = join(w.root, 'mallory.asc');
    await writeFile(malloryKey, mallory.armor());
    const asFile = (path: string): Signing => ({
      method: 'gpg',
      keySource: { kind: 'file', path },
      prompt: async () => '',
    });
    const delegation = (verifier: ReturnType<typeof createSignatureVerifier>) =>
      delegateSigning({
        registry: w.registry,
        pattern: '@acme/*',
        delegate: { fingerprint: mallory.getFingerprint().toUpperCase() },
        until: new Date(Date.now() + 365 * 86_400_000),
        maxDepth: 0,
        signing: asFile(stolen),
        verifier,
      });

    const { config, verifier } = await w.services();
    await assert.rejects(delegation(verifier), /Primary key is revoked\. Nothing was stored/);
    // Stored anyway, by a machine that never saw the revocation (as anyone writing the registry can).
    const elsewhere = await mkdtemp(join(tmpdir(), 'aam-elsewhere-'));
    const made = await delegation(createSignatureVerifier(config, elsewhere, {}));
    assert.equal((made.signer as { fingerprint: string }).fingerprint, aliceFpr, 'control: the copy alone is Alice');

    await publishPackage({
      packageDir: await w.makePackage('@acme/tool', '1.0.0'),
      registry: w.registry,
      signing: asFile(malloryKey),
      verifier,
    });
    await assert.rejects(
      installPackages(['@acme/tool'], { ...(await w.services()), registry: w.registry }),
      /whose delegation is refused: delegation [0-9a-f]+ is not validly signed \(.*Primary key is revoked\)/,
    );
  });
});
