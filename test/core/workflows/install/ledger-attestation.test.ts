import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AamError } from '../../../../src/core/errors.ts';
import type { AttestationFact } from '../../../../src/core/policy/decision.ts';
import { fromLedger, ledgerContext, VerifiedLedger } from '../../../../src/core/verify/cached-verification.ts';
import { checksFromLedger } from '../../../../src/core/workflows/install/cached.ts';
import { tempDir } from '../../../helpers/temp.ts';

/**
 * --use-cached-verification answers from this machine's earlier verification of the same archive:
 * its registry attestation said that registry vouched for the bytes, not whichever registry the
 * package comes from now.
 */
describe("the cached verification's attestation", () => {
  const checksum = `sha256:${'c'.repeat(64)}`;
  const attested: AttestationFact = { registry: 'team', state: 'valid', keyId: 'ab'.repeat(32), publisher: 'alice' };
  function ledger() {
    const kept = new VerifiedLedger(undefined);
    const checks = {
      name: '@acme/x',
      integrity: { ok: true as const },
      signature: { state: 'none' as const },
      attestation: attested,
    };
    kept.rememberInstalled([{ version: '1.0.0', checksum, checks }], '2026-11-01T00:00:00Z', 'trust');
    return { ledger: kept, cache: {} as never, trust: 'trust' };
  }
  const plan = {
    name: '@acme/x',
    version: '1.0.0',
    entry: { checksum } as never,
    requestedBy: undefined,
    dependencies: {},
  };
  const unreachable = new AamError('REGISTRY_ERROR', 'the registry answered 500');

  it('is used for the registry that attested it', () => {
    assert.deepEqual(checksFromLedger(plan, ledger(), unreachable, 'team').attestation, attested);
  });

  it('is not used under other trust material (another root, a keyring changed since)', () => {
    assert.throws(
      () => checksFromLedger(plan, { ...ledger(), trust: 'another' }, unreachable, 'team'),
      /this machine verified this archive under other trust material/,
    );
  });

  it('is not used for the same archive installed from another registry', () => {
    const checks = checksFromLedger(plan, ledger(), unreachable, 'community');
    assert.equal(checks.attestation, undefined);
    assert.deepEqual(checks.cached?.reason, 'the registry answered 500');
  });

  it("at verify, is used only for the registry the lock file names as the package's source", async () => {
    // Verified here from two registries that serve the same bytes; only one of them attested them.
    const dir = await tempDir('aam-ledger-attestation-');
    const manifest = "name: '@acme/x'\nversion: 1.0.0\n";
    await writeFile(join(dir, 'aam.yaml'), manifest);
    const kept = new VerifiedLedger(undefined);
    const verified = (source: string) => ({
      result: {
        name: '@acme/x',
        at: '1793491200000000000',
        checks: { name: '@acme/x', integrity: { ok: true }, signature: { state: 'none' }, attestation: attested },
      } as never,
      checksum,
      version: '1.0.0',
      source,
      files: { 'aam.yaml': createHash('sha256').update(manifest).digest('hex') },
    });
    const context = ledgerContext('trust', []);
    kept.remember([verified('team'), verified('community')], context);
    const unavailable = {
      name: '@acme/x',
      checks: {
        name: '@acme/x',
        integrity: { ok: false, code: 'ARCHIVE_UNAVAILABLE', detail: 'the registry cannot be reached' },
        signature: { state: 'none' },
      },
      deployed: [],
      hidden: [],
    } as never;
    const locked = (source: string) => ({ version: '1.0.0', checksum, source }) as never;
    try {
      assert.deepEqual(fromLedger(unavailable, locked('team'), dir, kept, { context })?.checks.attestation, attested);
      const other = fromLedger(unavailable, locked('community'), dir, kept, { context });
      assert.equal(other?.checks.cached?.reason, 'the registry cannot be reached');
      assert.equal(other?.checks.attestation, undefined);
      // A registry it was never verified from gets no stand-in at all.
      assert.equal(fromLedger(unavailable, locked('mirror'), dir, kept, { context })?.checks.cached, undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
