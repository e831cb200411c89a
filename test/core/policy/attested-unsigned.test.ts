import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, decide } from '../../../src/core/policy/decision.ts';
import type { Checks, SecurityPolicy } from '../../../src/core/policy/decision.ts';

/** A registry attestation stands in for a signature (seeds: "trust the registry, not individual authors") — not for one the registry itself requires. */
describe('an attested package without a signature', () => {
  const attested = (requiresSignatures: boolean): Checks => ({
    name: '@acme/tool',
    integrity: { ok: true },
    signature: { state: 'none' },
    attestation: { registry: 'team', state: 'valid', keyId: 'k', publisher: 'alice' },
    ...(requiresSignatures ? { source: { name: 'team', requiresSignatures: true as const } } : {}),
  });
  const policy = (overrides: Partial<SecurityPolicy> = {}) => ({
    policy: { ...DEFAULT_POLICY, trust_registry_attestations: true, trusted_registries: ['team'], ...overrides },
  });

  it('passes on the attestation of a trusted registry', () => {
    assert.equal(decide(attested(false), policy()).code, 'ATTESTED');
  });

  it('fails when its registry says it requires signatures: the registry contradicts itself', () => {
    for (const require_signature of [false, true]) {
      const v = decide(attested(true), policy({ require_signature }));
      assert.deepEqual([v.action, v.code], ['fail', 'UNSIGNED'], v.message);
      assert.match(v.message, /registry "team" requires signatures \(require_signatures: true\)/);
    }
  });
});
