import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LocalSigstore } from '../../../dev/local-sigstore/instance.ts';
import { signWithSigstore } from '../../../src/core/sigstore/sign.ts';
import { verifySigstoreBundle } from '../../../src/core/sigstore/verify.ts';
import { staticToken } from '../../../src/core/sigstore/identity/providers.ts';
import type { SignatureCheck } from '../../../src/core/policy/decision.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';
import { mutateBundle, random } from '../../helpers/bundle-mutations.ts';
import { mutateBundleShape, versionVariants } from '../../helpers/bundle-shape-mutations.ts';
import { cpuMsSince } from '../../helpers/cpu.ts';

/** How many mutated bundles to try: a CI-sized run by default, `npm run fuzz` sets more. */
const CASES = Number(process.env.AAM_FUZZ_CASES ?? 150);

const summary = (c: SignatureCheck) =>
  c.state === 'valid' ? `valid ${c.signer.type === 'sigstore' ? c.signer.identity.san : ''}` : c.state;

/** Same verdict; when both accept, the same signer (identity, log index and URL, integrated time). */
function verdictsAgree(fast: SignatureCheck, reference: SignatureCheck, label: string): void {
  const detail = `${label}: fast path says ${JSON.stringify(fast)}, reference says ${JSON.stringify(reference)}`;
  assert.equal(summary(fast), summary(reference), detail);
  if (fast.state === 'valid' && reference.state === 'valid') assert.deepEqual(fast.signer, reference.signer, detail);
}

describe('the lean Sigstore verifier agrees with @sigstore/verify', () => {
  const local = useLocalSigstore();
  const artifacts = [Buffer.from('archive one'), Buffer.from('archive two'), Buffer.from('archive three')];
  let bundles: Buffer[] = [];
  let foreign: Buffer;

  before(async () => {
    const sign = (data: Buffer, token: string, tsa: boolean) =>
      signWithSigstore(data, { endpoints: local.endpoints(tsa), identityProvider: staticToken(token) }).then(
        (s) => s.bytes,
      );
    bundles = [
      await sign(artifacts[0]!, local.instance().mintToken('alice@example.com'), false),
      await sign(artifacts[1]!, local.instance().mintWorkloadToken('github', 'acme/tools'), false),
      await sign(artifacts[2]!, local.instance().mintToken('bob@example.com'), true),
    ];
    const stranger = await LocalSigstore.start();
    try {
      foreign = (
        await signWithSigstore(artifacts[0]!, {
          endpoints: { fulcio: stranger.url, rekor: stranger.url, tsa: undefined },
          identityProvider: staticToken(stranger.mintToken('alice@example.com')),
        })
      ).bytes;
    } finally {
      await stranger.close();
    }
  });

  const both = (bytes: Buffer, artifact: Buffer, requireTlog = true) => {
    const options = { root: local.root(), requireTlog };
    return {
      fast: verifySigstoreBundle(bytes, artifact, options),
      reference: verifySigstoreBundle(bytes, artifact, { ...options, referenceOnly: true }),
    };
  };

  it('accepts exactly what the reference accepts for valid bundles, with the same signer', () => {
    bundles.forEach((bundle, i) => {
      const { fast, reference } = both(bundle, artifacts[i]!);
      assert.equal(fast.state, 'valid');
      assert.deepEqual(fast, reference);
    });
  });

  it('rejects a certificate from another instance, like the reference', () => {
    const { fast, reference } = both(foreign, artifacts[0]!);
    assert.equal(fast.state, 'invalid');
    assert.equal(reference.state, 'invalid');
  });

  it('rejects every single-byte change of a signed archive (sampled positions)', () => {
    const rand = random(7);
    for (let n = 0; n < 40; n++) {
      const tampered = Buffer.from(artifacts[0]!);
      tampered[Math.floor(rand() * tampered.length)]! ^= 1 << Math.floor(rand() * 8);
      const { fast, reference } = both(bundles[0]!, tampered);
      assert.equal(fast.state, 'invalid');
      assert.equal(reference.state, 'invalid');
    }
  });

  it(`agrees on ${CASES} mutated bundles: never accepts what the reference rejects, never crashes or hangs`, () => {
    const rand = random(20261122);
    const counts = { tried: 0, rejected: 0, accepted: 0, equivalentAccepted: 0 };
    for (let n = 0; n < CASES; n++) {
      const index = Math.floor(rand() * bundles.length);
      const { bytes, description } = mutateBundle(
        bundles[index]!,
        [...bundles.filter((_, i) => i !== index), foreign],
        rand,
      );
      for (const requireTlog of [true, false]) {
        const started = process.cpuUsage();
        const { fast, reference } = both(bytes, artifacts[index]!, requireTlog);
        assert.ok(cpuMsSince(started) < 2000, `case ${n} (${description}) took too long`);
        counts.tried++;
        verdictsAgree(fast, reference, `case ${n} (${description}, requireTlog ${requireTlog})`);
        if (fast.state === 'valid') {
          counts.accepted++;
          // An accepted mutation must be equivalent: the same identity vouched for the same artifact.
          const original = both(bundles[index]!, artifacts[index]!, requireTlog).fast;
          assert.ok(
            original.state === 'valid' && original.signer.type === 'sigstore' && fast.signer.type === 'sigstore',
          );
          assert.deepEqual(
            fast.signer.identity,
            original.signer.identity,
            `case ${n} (${description}) accepted a different signer`,
          );
          counts.equivalentAccepted++;
        } else counts.rejected++;
      }
    }
    console.log(`differential: ${JSON.stringify(counts)}`);
  });

  it(`agrees on ${CASES} bundles of other shapes: every version against every entry and certificate shape, and fields added, dropped, retyped and repeated`, () => {
    const rand = random(20261204);
    const counts = { valid: 0, invalid: 0 };
    bundles.forEach((bundle, index) => {
      for (const { bytes, description } of versionVariants(bundle)) {
        const { fast, reference } = both(bytes, artifacts[index]!);
        verdictsAgree(fast, reference, `bundle ${index}, ${description}`);
        counts[fast.state === 'valid' ? 'valid' : 'invalid']++;
      }
    });
    for (let n = 0; n < CASES; n++) {
      const index = Math.floor(rand() * bundles.length);
      const others = [...bundles.filter((_, i) => i !== index), foreign];
      let { bytes, description } = mutateBundleShape(bundles[index]!, others, rand);
      if (rand() < 0.3) {
        const again = mutateBundleShape(bytes, others, rand);
        ({ bytes } = again);
        description += ` + ${again.description}`;
      }
      for (const requireTlog of [true, false]) {
        const { fast, reference } = both(bytes, artifacts[index]!, requireTlog);
        verdictsAgree(fast, reference, `shape case ${n} (${description}, requireTlog ${requireTlog})`);
        counts[fast.state === 'valid' ? 'valid' : 'invalid']++;
      }
    }
    console.log(`differential, shapes: ${JSON.stringify(counts)}`);
    // Both verdicts are reached: shapes the verifiers accept, and shapes they refuse.
    assert.ok(counts.valid > 0 && counts.invalid > 0);
  });
});
