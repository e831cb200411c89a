import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKey } from 'openpgp';
import { signDetached } from '../../../src/core/openpgp/sign.ts';
import type { SignatureToStore } from '../../../src/core/registry/registry.ts';
import { verifyWorkspace } from '../../../src/core/verify/workspace.ts';
import { cli } from '../../helpers/cli.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';
import { signersWorld, statusOf } from '../../helpers/signers.ts';

/** A signature over `data` by a fresh OpenPGP key that no keyring of the client holds (a stranger's co-signature). */
async function strangerSignature(data: Buffer): Promise<{ fingerprint: string; signature: SignatureToStore }> {
  const { privateKey, publicKey } = await generateKey({ userIDs: [{ email: 'm@evil.example' }], format: 'object' });
  const fingerprint = privateKey.getFingerprint().toUpperCase();
  const bytes = await signDetached(data, { key: privateKey, fingerprint, userIds: privateKey.getUserIDs() });
  return {
    fingerprint,
    signature: { type: 'gpg', bytes, record: { fingerprint, signed_at: undefined }, publicKey: publicKey.armor() },
  };
}

/**
 * SPEC §2: a package whose signature by a trusted key verifies passes as
 * verified (step 5); a signer the client cannot name matches nothing (step 6)
 * and is no sign of tampering (step 4). So a co-signature by a key that is in
 * no keyring of this machine must not fail the package, even under
 * on_signature_failure: error — or anyone a registry lets co-sign could fail
 * every strict client's verify.
 */
describe('a co-signature by a key not in your keyring, beside a trusted signature', () => {
  const local = useLocalSigstore();

  it('warns that it does not count, and verify, verify NAME and the CLI all pass', async () => {
    const s = await signersWorld(local, (k) => `trusted_keys: ["${k.a}"]\non_signature_failure: error`);
    await s.publish('tool', '1.0.0', [s.gpg('a')]);
    await s.install('tool');
    const archive = await s.w.registry.readArchive('tool', '1.0.0');
    const stranger = await strangerSignature(archive);
    await s.w.registry.addSignature('tool', '1.0.0', stranger.signature);

    const [all] = await s.verify();
    assert.equal(statusOf(all), 'verified/pass/VERIFIED +EXTRA_SIGNATURE_UNKNOWN_KEY/warn');
    const finding = all!.findings[0]!;
    assert.match(finding.message, /does not count: 1\.0\.0\.aam\.2\.asc: it was made by key [0-9A-F]{40}/);
    assert.match(finding.message, new RegExp(`${stranger.fingerprint}, which is not in your keyring`));
    assert.equal(finding.actual, `key ${stranger.fingerprint}, not in your keyring`);
    assert.match(finding.hint!, new RegExp(`aam-trust keys fetch ${stranger.fingerprint}`));

    const [one] = await verifyWorkspace({ ...(await s.w.services()), only: ['tool'], force: true });
    assert.equal(statusOf(one), statusOf(all), 'verify NAME judges it as verify does');

    const run = await cli(['verify', '--json', '--no-cache'], { cwd: s.w.project, home: s.w.home });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const named = await cli(['verify', 'tool', '--no-cache'], { cwd: s.w.project, home: s.w.home });
    assert.equal(named.code, 0, named.stdout + named.stderr);
  });

  it('still fails under on_signature_failure: error when another signature really does not verify', async () => {
    const s = await signersWorld(local, (k) => `trusted_keys: ["${k.a}"]\non_signature_failure: error`);
    await s.publish('tool', '1.0.0', [s.gpg('a')]);
    await s.install('tool');
    // Key B is in the keyring, but its "signature" is over other bytes: a forgery, not a stranger.
    await s.forgeSignature('tool', '1.0.0');

    const [report] = await s.verify();
    assert.equal(statusOf(report), 'verified/pass/VERIFIED +EXTRA_SIGNATURE_INVALID/fail');
    const run = await cli(['verify', '--no-cache'], { cwd: s.w.project, home: s.w.home });
    assert.equal(run.code, 1, run.stdout + run.stderr);
  });
});
