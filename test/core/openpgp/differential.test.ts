import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportPublicKey, runGpg } from '../../../src/core/openpgp/gnupg.ts';
import {
  ArmoredKeyring,
  ARMORED_KEYRINGS,
  armoredKeyring,
  DirectoryKeyring,
  importPublicKey,
} from '../../../src/core/openpgp/keyring.ts';
import { loadSigningKey, signDetached, signingKeySource } from '../../../src/core/openpgp/sign.ts';
import { verifyDetachedSignature } from '../../../src/core/openpgp/verify.ts';
import type { SignatureCheck } from '../../../src/core/policy/decision.ts';
import { random } from '../../helpers/bundle-mutations.ts';
import { makeGpgHome } from '../../helpers/gpg.ts';
import { mutateSignature, unarmor } from '../../helpers/pgp-mutations.ts';
import { tempDir } from '../../helpers/temp.ts';
import { cpuMsSince } from '../../helpers/cpu.ts';
import type { PrivateKey } from 'openpgp';

/** How many mutated signatures to try: a CI-sized run by default, `npm run fuzz` sets more. */
const CASES = Number(process.env.AAM_FUZZ_CASES ?? 400);

/** The signing times of the expiry tests: seconds after a fixed start. */
const T0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** A detached binary signature of `data` by `key`, made `seconds` after T0 (openpgp.js). */
async function signedAt(key: PrivateKey, data: Buffer, seconds: number): Promise<Buffer> {
  const { createMessage, sign } = await import('openpgp');
  const message = await createMessage({ binary: data });
  return Buffer.from(await sign({ message, signingKeys: key, detached: true, format: 'binary', date: at(seconds) }));
}

const summary = (c: SignatureCheck) =>
  c.state === 'valid' && c.signer.type === 'gpg'
    ? `valid ${c.signer.fingerprint} ${c.signer.signingKeyFingerprint} ${c.signer.signedAt}`
    : c.state;

describe('the lean OpenPGP verifier agrees with openpgp.js', () => {
  const artifacts = [
    Buffer.from('archive one\n'),
    Buffer.concat([Buffer.from('archive two'), Buffer.alloc(70_000, 7)]),
  ];
  let keys: DirectoryKeyring;
  let signatures: { bytes: Buffer; artifact: number; who: string }[] = [];

  before(async () => {
    const gpg = await makeGpgHome([
      { uid: 'Alice <alice@example.com>', algo: 'ed25519' },
      { uid: 'Bob <bob@example.com>', algo: 'rsa3072' },
    ]);
    const keysDir = await tempDir('aam-keys-');
    for (const fingerprint of Object.values(gpg.fingerprints))
      await importPublicKey((await exportPublicKey(gpg.home, fingerprint))!, keysDir);
    keys = new DirectoryKeyring(keysDir);
    for (const [index, artifact] of artifacts.entries()) {
      const file = join(gpg.home, `artifact-${index}`);
      await writeFile(file, artifact);
      for (const who of ['alice@example.com', 'bob@example.com']) {
        for (const armored of [true, false]) {
          const made = await runGpg(
            ['--batch', '--local-user', who, ...(armored ? ['--armor'] : []), '--output', '-', '--detach-sign', file],
            { gpgHome: gpg.home },
          );
          assert.equal(made.code, 0, made.stderr);
          signatures.push({
            bytes: Buffer.from(made.stdout),
            artifact: index,
            who: `gpg ${who}${armored ? ' armored' : ''}`,
          });
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
      const { bytes, description } = mutateSignature(
        s.bytes,
        signatures.filter((_, i) => i !== index).map((x) => x.bytes),
        rand,
      );
      const started = process.cpuUsage();
      const { lean, reference } = await both(bytes, artifacts[s.artifact]!);
      assert.ok(cpuMsSince(started) < 2000, `case ${n} (${description}) took too long`);
      counts.tried++;
      assert.equal(
        summary(lean),
        summary(reference),
        `case ${n} (${s.who}, ${description}): lean says ${JSON.stringify(lean)}, reference says ${JSON.stringify(reference)}`,
      );
      if (lean.state === 'valid') counts.equivalentAccepted++;
      else counts.rejected++;
    }
    assert.equal(counts.tried, CASES);
    assert.ok(counts.rejected > CASES / 2, `most mutations must be rejected: ${JSON.stringify(counts)}`);
    console.log(`OpenPGP mutations: ${JSON.stringify(counts)}`);
  });

  it('answers like openpgp.js for signatures made while a key was valid, expired, valid again after a new self-signature, and at the very instants', async () => {
    // Self-signature 1 at t0 lets the key expire at t0+1000 s; self-signature 2 at t0+2000 s extends it to t0+10000 s.
    const { generateKey, readKey, reformatKey } = await import('openpgp');
    const userIDs = [{ email: 'expiring@example.com' }];
    const { privateKey } = await generateKey({ userIDs, date: T0, format: 'object' });
    const expiring = (await reformatKey({ privateKey, userIDs, date: T0, keyExpirationTime: 1000, format: 'object' }))
      .privateKey;
    const extended = (
      await reformatKey({ privateKey, userIDs, date: at(2000), keyExpirationTime: 10000, format: 'object' })
    ).privateKey;
    expiring.users[0]!.selfCertifications.push(...extended.users[0]!.selfCertifications);
    const key = await readKey({ armoredKey: expiring.toPublic().armor() });
    const lookup = { find: async () => [key] };
    const data = Buffer.from('archive');
    const rand = random(5);
    const instants = [
      10, 999, 1000, 1001, 1999, 2000, 2001, 9999, 10000, 10001, 20000, 10, 1500, 3000, 1500, 10002, 500,
    ];
    for (let n = 0; n < 40; n++) instants.push(Math.floor(rand() * 12000));
    const states: string[] = [];
    for (const seconds of instants) {
      const bytes = await signedAt(privateKey, data, seconds);
      const lean = await verifyDetachedSignature(data, bytes, lookup);
      const reference = await verifyDetachedSignature(data, bytes, lookup, { referenceOnly: true });
      assert.deepEqual(lean, reference, `signed at t0+${seconds} s`);
      states.push(lean.state);
    }
    // Valid, expired, valid again, expired: the answer changes with the signing time, and is not carried over.
    assert.deepEqual(states.slice(0, 11), [
      'valid',
      'valid',
      'invalid',
      'invalid',
      'invalid',
      'valid',
      'valid',
      'valid',
      'invalid',
      'invalid',
      'invalid',
    ]);
    assert.deepEqual(states.slice(11, 17), ['valid', 'invalid', 'valid', 'invalid', 'invalid', 'valid']);
  });

  it('a kept armored keyring (one per text, as a publish uses) answers like a fresh one, at every signing time, and stays bounded', async () => {
    const { generateKey, reformatKey, revokeKey } = await import('openpgp');
    const userIDs = [{ email: 'kept@example.com' }];
    const { privateKey } = await generateKey({ userIDs, date: T0, format: 'object' });
    const expiring = await reformatKey({ privateKey, userIDs, date: T0, keyExpirationTime: 1000, format: 'object' });
    const texts = {
      expiring: expiring.publicKey.toPublic().armor(),
      revoked: (await revokeKey({ key: expiring.privateKey, date: at(500), format: 'object' })).publicKey.armor(),
    };
    assert.equal(armoredKeyring(texts.expiring), armoredKeyring(texts.expiring), 'one keyring for one text');
    assert.notEqual(armoredKeyring(texts.expiring), armoredKeyring(texts.revoked), 'another text, another keyring');
    const data = Buffer.from('archive');
    const seen: string[] = [];
    // Twice over: the second pass is answered from what the kept keyring remembered.
    for (const round of [1, 2])
      for (const seconds of [10, 499, 500, 501, 999, 1000, 1001, 5000, 10, 700]) {
        const bytes = await signedAt(privateKey, data, seconds);
        for (const [name, text] of Object.entries(texts)) {
          const kept = await verifyDetachedSignature(data, bytes, armoredKeyring(text));
          const fresh = await verifyDetachedSignature(data, bytes, new ArmoredKeyring(text), { referenceOnly: true });
          assert.deepEqual(kept, fresh, `${name}, signed at t0+${seconds} s, round ${round}`);
          seen.push(`${name}@${seconds}:${kept.state}`);
          const wrong = await verifyDetachedSignature(Buffer.from('other'), bytes, armoredKeyring(text));
          assert.equal(wrong.state, 'invalid', `${name}: another archive, t0+${seconds} s`);
        }
      }
    // The answers did change with the signing time and the text: nothing was carried over from one to the other.
    // (openpgp.js holds a revoked key invalid at every date.)
    assert.ok(seen.includes('expiring@10:valid') && seen.includes('revoked@10:invalid'), seen.join(' '));
    assert.ok(seen.includes('expiring@999:valid') && seen.includes('expiring@1001:invalid'), seen.join(' '));
    // Bounded: after more texts than it keeps, the first is read anew (another object).
    const first = armoredKeyring(texts.expiring);
    for (let i = 0; i <= ARMORED_KEYRINGS.entries; i++) armoredKeyring(`${texts.revoked}\n${i}`);
    assert.notEqual(armoredKeyring(texts.expiring), first);
    const huge = `${texts.expiring}${' '.repeat(ARMORED_KEYRINGS.largest)}`;
    assert.notEqual(armoredKeyring(huge), armoredKeyring(huge), 'a text too large to keep is read each time');
  });

  it('takes the lean path for the signatures it is built for', async () => {
    const { parseLeanSignature } = await import('../../../src/core/openpgp/lean-signature.ts');
    for (const s of signatures) assert.ok(parseLeanSignature(s.bytes), `${s.who} should parse on the lean path`);
    assert.equal(
      parseLeanSignature(Buffer.concat([unarmor(signatures[0]!.bytes), unarmor(signatures[0]!.bytes)])),
      undefined,
      'two signatures go to openpgp.js',
    );
  });
});
