import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { parse, stringify } from 'yaml';
import { MAX_DELEGATION_FILES } from '../../../src/core/registry/local-signatures.ts';
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

    // diff3-review: a pull request's lock entry names the stranger's delegations as the ones its signer was
    // trusted through. One chain is at most MAX_DELEGATION_DEPTH + 1 long: an entry naming 20 caches none.
    const strangers = (await readdir(served))
      .map((n) => `sha256:${n.slice(0, 64)}`)
      .filter((id) => id !== made.id && id !== revoked.id);
    const lockPath = join(s.w.project, '.aam', 'aam-lock.yaml');
    const lock = parse(await readFile(lockPath, 'utf8'));
    lock.packages['@acme/tool'].signature.delegations = strangers.slice(0, 20);
    await writeFile(lockPath, stringify(lock));
    await offline();
    assert.deepEqual(await kept(), [made.id, revoked.id].sort(), 'no stranger delegation is cached');

    // Four of them is a chain's length; the cache is nearly full: prepare-offline does not take it past what
    // clients read (past it, no delegation there counts), and says why the package was not cached.
    lock.packages['@acme/tool'].signature.delegations = strangers.slice(0, 4);
    await writeFile(lockPath, stringify(lock));
    for (let n = 0; n < MAX_DELEGATION_FILES - 3; n++)
      await writeFile(join(cache, 'delegations', `${n.toString(16).padStart(64, '0')}.json`), '{}');
    const { config, cache: evidence, workspace } = await s.w.services();
    const result = await prepareOffline({ workspace, config, cache: evidence, homeDir: s.w.home });
    assert.equal((await kept()).length, MAX_DELEGATION_FILES - 1);
    assert.deepEqual(result.cached, []);
    assert.match(
      result.missing.join('\n'),
      /@acme\/tool@1\.0\.0: its 4 delegation file\(s\) were not cached: .* more than 256/,
    );
  });
});
