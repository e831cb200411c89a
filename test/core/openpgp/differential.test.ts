import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportPublicKey, runGpg } from '../../../src/core/openpgp/gnupg.ts';
import { DirectoryKeyring, importPublicKey } from '../../../src/core/openpgp/keyring.ts';
import { loadSigningKey, signDetached, signingKeySource } from '../../../src/core/openpgp/sign.ts';
import { verifyDetachedSignature } from '../../../src/core/openpgp/verify.ts';
import type { SignatureCheck } from '../../../src/core/policy/decision.ts';
import { random } from '../../helpers/bundle-mutations.ts';
import { makeGpgHome } from '../../helpers/gpg.ts';
import { mutateSignature, unarmor } from '../../helpers/pgp-mutations.ts';
import { tempDir } from '../../helpers/temp.ts';

/** How many mutated signatures to try: a CI-sized run by default, `npm run fuzz` sets more. */
const CASES = Number(process.env.AAM_FUZZ_CASES ?? 400);

const summary = (c: SignatureCheck) => (c.state === 'valid' && c.signer.type === 'gpg' ? `valid ${c.signer.fingerprint} ${c.signer.signingKeyFingerprint} ${c.signer.signedAt}` : c.state);

describe('the lean OpenPGP verifier agrees with openpgp.js', () => {
  const artifacts = [Buffer.from('archive one\n'), Buffer.concat([Buffer.from('archive two'), Buffer.alloc(70_000, 7)])];
  let keys: DirectoryKeyring;
  let signatures: { bytes: Buffer; artifact: number; who: string }[] = [];

  before(async () => {
    const gpg = await makeGpgHome([
      { uid: 'Alice <alice@example.com>', algo: 'ed25519' },
      { uid: 'Bob <bob@example.com>', algo: 'rsa3072' },
    ]);
    const keysDir = await tempDir('aam-keys-');
    for (const fingerprint of Object.values(gpg.fingerprints)) await importPublicKey((await exportPublicKey(gpg.home, fingerprint))!, keysDir);
    keys = new DirectoryKeyring(keysDir);
    for (const [index, artifact] of artifacts.entries()) {
      const file = join(gpg.home, `artifact-${index}`);
      await writeFile(file, artifact);
      for (const who of ['alice@example.com', 'bob@example.com']) {
        for (const armored of [true, false]) {
          const made = await runGpg(['--batch', '--local-user', who, ...(armored ? ['--armor'] : []), '--output', '-', '--detach-sign', file], { gpgHome: gpg.home });
          assert.equal(made.code, 0, made.stderr);
          signatures.push({ bytes: Buffer.from(made.stdout), artifact: index, who: `gpg ${who}${armored ? ' armored' : ''}` });
        }
        const key = await loadSigningKey(signingKeySource(who, gpg.home), async () => '');
        signatures.push({ bytes: await signDetached(artifact, key), artifact: index, who: `openpgp.js ${who}` });
      }
    }
  });

  const both = async (bytes: Buffer, artifact: Buffer) => ({
    lean: await verifyDetachedSignature(artifact, bytes, keys),
    reference: await verifyDetachedSignature(artifact, bytes, keys, { referenceOnly: true }),
  });

  it('accepts every valid signature (gpg and openpgp.js, Ed25519 and RSA, armored and binary) with the same signer', async () => {
    for (const s of signatures) {
      const { lean, reference } = await both(s.bytes, artifacts[s.artifact]!);
      assert.equal(lean.state, 'valid', s.who);
      assert.deepEqual(lean, reference, s.who);
    }
  });

  it('rejects every single-byte change of a signed archive (sampled positions), like the reference', async () => {
    const rand = random(11);
    for (let n = 0; n < 60; n++) {
      const s = signatures[n % signatures.length]!;
      const tampered = Buffer.from(artifacts[s.artifact]!);
      tampered[Math.floor(rand() * tampered.length)]! ^= 1 << Math.floor(rand() * 8);
      const { lean, reference } = await both(s.bytes, tampered);
      assert.equal(lean.state, 'invalid', s.who);
      assert.deepEqual(lean, reference);
    }
  });

  it('rejects a signature over another archive', async () => {
    const s = signatures.find((x) => x.artifact === 0)!;
    const { lean, reference } = await both(s.bytes, artifacts[1]!);
    assert.equal(lean.state, 'invalid');
    assert.deepEqual(lean, reference);
  });

  it(`agrees on ${CASES} mutated signatures: never accepts what openpgp.js rejects, never crashes or hangs`, async () => {
    const rand = random(20261122);
    const counts = { tried: 0, rejected: 0, equivalentAccepted: 0 };
    for (let n = 0; n < CASES; n++) {
      const index = Math.floor(rand() * signatures.length);
      const s = signatures[index]!;
      const { bytes, description } = mutateSignature(s.bytes, signatures.filter((_, i) => i !== index).map((x) => x.bytes), rand);
      const started = performance.now();
      const { lean, reference } = await both(bytes, artifacts[s.artifact]!);
      assert.ok(performance.now() - started < 2000, `case ${n} (${description}) took too long`);
      counts.tried++;
      assert.equal(summary(lean), summary(reference), `case ${n} (${s.who}, ${description}): lean says ${JSON.stringify(lean)}, reference says ${JSON.stringify(reference)}`);
      if (lean.state === 'valid') counts.equivalentAccepted++;
      else counts.rejected++;
    }
    assert.equal(counts.tried, CASES);
    assert.ok(counts.rejected > CASES / 2, `most mutations must be rejected: ${JSON.stringify(counts)}`);
    console.log(`OpenPGP mutations: ${JSON.stringify(counts)}`);
  });

  it('takes the lean path for the signatures it is built for', async () => {
    const { parseLeanSignature } = await import('../../../src/core/openpgp/lean-verify.ts');
    for (const s of signatures) assert.ok(parseLeanSignature(s.bytes), `${s.who} should parse on the lean path`);
    assert.equal(parseLeanSignature(Buffer.concat([unarmor(signatures[0]!.bytes), unarmor(signatures[0]!.bytes)])), undefined, 'two signatures go to openpgp.js');
  });
});
