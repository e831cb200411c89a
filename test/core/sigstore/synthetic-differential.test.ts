import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifySigstoreBundle } from '../../../src/core/sigstore/verify.ts';
import type { SignatureCheck } from '../../../src/core/policy/decision.ts';
import { SigstoreWorld } from '../../helpers/sigstore-world.ts';

/**
 * The lean verifier against @sigstore/verify on certificates and log entries
 * that only a CA or a log could make, so no mutation of a real bundle
 * (differential.test.ts) reaches them: a synthetic world whose keys the test
 * holds makes them, and both paths must give the same check.
 */

const world = new SigstoreWorld();
const root = world.trustedRoot();
const artifact = Buffer.from('a package archive');

function bothPaths(bytes: Buffer): SignatureCheck {
  const options = { root, requireTlog: true };
  const fast = verifySigstoreBundle(bytes, artifact, options);
  const reference = verifySigstoreBundle(bytes, artifact, { ...options, referenceOnly: true });
  assert.deepEqual(fast, reference);
  return fast;
}

function assertRefused(check: SignatureCheck, reason: RegExp): void {
  assert.equal(check.state, 'invalid', JSON.stringify(check));
  assert.match(check.state === 'invalid' ? check.reason : '', reason);
}

describe('the lean Sigstore verifier agrees with @sigstore/verify on what only a CA or a log could make', () => {
  it('accepts a plain bundle of the synthetic world, with the same signer', () => {
    const check = bothPaths(world.bundle(artifact));
    assert.equal(check.state, 'valid');
  });

  it('refuses a certificate with two SCTs from the same CT log (one log must not count twice)', () => {
    assertRefused(bothPaths(world.bundle(artifact, { scts: 2 })), /duplicate SCT/);
  });

  it('refuses two SET-covered entries of one log at the same second, written "T" and "0T" (times compare by value)', () => {
    const now = Math.floor(Date.now() / 1000);
    const bundle = world.bundle(artifact, {
      entries: ({ body }) => {
        // Another body for the same signature and digest (JSON with a space), so the entries are distinct.
        const spaced = Buffer.from(body.toString().replace('"apiVersion"', ' "apiVersion"'));
        return [world.entry(body, { integratedTime: String(now) }), world.entry(spaced, { integratedTime: `0${now}` })];
      },
    });
    assertRefused(bothPaths(bundle), /duplicate timestamp/);
  });

  it('refuses a log entry that records the signature under another certificate than the bundle’s', () => {
    const bundle = world.bundle(artifact, {
      entries: ({ signature, digest }) => [world.entry(world.body(signature, digest, world.rootCertificate))],
    });
    assertRefused(bothPaths(bundle), /logged under another certificate than the bundle's/);
  });
});
