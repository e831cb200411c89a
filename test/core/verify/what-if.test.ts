import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../../src/core/policy/decision.ts';
import type { Checks, PolicyContext } from '../../../src/core/policy/decision.ts';
import { whatIf } from '../../../src/core/verify/verdict/what-if.ts';
import { securitySettings } from '../../../src/core/config/settings.ts';
import type { SecuritySettings } from '../../../src/core/config/settings.ts';
import type { SigstoreSigner } from '../../../src/core/policy/trust-match.ts';

const settings = (security: Record<string, unknown>): SecuritySettings => securitySettings({ value: { security } });
const ctx = (s: SecuritySettings): PolicyContext & { policy: SecuritySettings } => ({ policy: s });
const signer = (san: string): SigstoreSigner => ({
  type: 'sigstore',
  identity: { san, sanType: 'email', issuer: 'https://issuer.example' },
  tlog: undefined,
  signedAt: undefined,
});

const packages: { name: string; checks: Checks }[] = [
  {
    name: 'signed-by-alice',
    checks: {
      name: 'test-pkg',
      integrity: { ok: true },
      signature: { state: 'valid', signer: signer('alice@example.com') },
    },
  },
  {
    name: 'signed-by-mallory',
    checks: {
      name: 'test-pkg',
      integrity: { ok: true },
      signature: { state: 'valid', signer: signer('mallory@evil.io') },
    },
  },
  { name: 'unsigned', checks: { name: 'test-pkg', integrity: { ok: true }, signature: { state: 'none' } } },
];
function reportsUnder(s: SecuritySettings) {
  return packages.map((p) => ({ ...p, version: '1.0.0', verdict: decide(p.checks, ctx(s)) }));
}

describe('what-if preview of an unsaved policy', () => {
  const current = settings({ trusted_identities: ['*@example.com'] });
  it('names the packages that would fail, from the stored checks alone', () => {
    const next = settings({
      trusted_identities: ['*@example.com'],
      require_signature: true,
      on_signature_failure: 'error',
    });
    const result = whatIf(reportsUnder(current), current, ctx(next));
    assert.deepEqual(
      result.changes.map((c) => [c.name, c.before.action, c.after.action]),
      [
        ['signed-by-mallory', 'warn', 'fail'],
        ['unsigned', 'pass', 'fail'],
      ],
    );
    assert.equal(result.summary, '2 packages would fail: signed-by-mallory, unsigned');
  });
  it('reports packages that would become trusted', () => {
    const result = whatIf(
      reportsUnder(current),
      current,
      ctx(settings({ trusted_identities: ['*@example.com', 'mallory@evil.io'] })),
    );
    assert.equal(result.summary, '1 package would pass: signed-by-mallory');
  });
  it('says when an edit would let a package whose signer changed pass with a warning (on_signer_change: warn)', () => {
    const reports = reportsUnder(current).map((r) =>
      r.name === 'signed-by-alice' ? { ...r, findings: [{ code: 'SIGNER_CHANGED', action: 'fail' as const }] } : r,
    );
    const result = whatIf(
      reports,
      current,
      ctx(settings({ trusted_identities: ['*@example.com'], on_signer_change: 'warn' })),
    );
    assert.deepEqual(
      result.changes.map((c) => [c.name, c.beforeOutcome, c.afterOutcome, c.acceptsSignerChange]),
      [['signed-by-alice', 'fail', 'warn', true]],
    );
    assert.equal(result.summary, '1 package would accept a changed signer with a warning: signed-by-alice');
  });
  it('says when nothing changes', () => {
    assert.equal(
      whatIf(reportsUnder(current), current, ctx(current)).summary,
      'No installed package would change verdict',
    );
  });
  it('cannot predict signatures that were never verified (ignore), and says so', () => {
    const ignoring = settings({ on_signature_failure: 'ignore' });
    const skipped = packages.map((p) => ({
      name: p.name,
      version: '1.0.0',
      checks: { name: 'test-pkg', integrity: { ok: true } as const, signature: { state: 'none' } as const },
      verdict: decide({ name: 'test-pkg', integrity: { ok: true }, signature: { state: 'none' } }, ctx(ignoring)),
    }));
    const result = whatIf(skipped, ignoring, ctx(settings({ on_signature_failure: 'warn' })));
    assert.deepEqual(result.unknown, ['signed-by-alice', 'signed-by-mallory', 'unsigned']);
    assert.match(result.summary, /unknown until signatures are verified/);
  });
  it('flags settings that change what the verifier checks', () => {
    const result = whatIf(
      reportsUnder(current),
      current,
      ctx(settings({ trusted_identities: ['*@example.com'], verify_transparency_log: false })),
    );
    assert.deepEqual(result.needsReverification, ['verify_transparency_log']);
  });
});
