import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { VerifiedLedger } from '../../../src/core/verify/cached-verification.ts';
import type { Checks } from '../../../src/core/policy/decision.ts';
import { tempDir } from '../../helpers/temp.ts';

/** What an install verified of `count` archives, numbered from `from`. */
function installed(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    version: '1.0.0',
    checksum: `sha256:${String(from + i).padStart(64, '0')}`,
    checks: {
      name: `@acme/p${from + i}`,
      integrity: { ok: true },
      signature: { state: 'none' },
    } as unknown as Checks,
  }));
}

describe('the ledger of passing verifications', () => {
  it('keeps the 20,000 newest archives when it holds more, whatever order they were remembered in', async () => {
    const dir = await tempDir('aam-ledger-');
    try {
      const ledger = new VerifiedLedger(dir);
      ledger.rememberInstalled(installed(0, 10_000), '2026-06-01T00:00:00.000Z', 'trust');
      ledger.rememberInstalled(installed(10_000, 5), '2026-01-01T00:00:00.000Z', 'trust');
      ledger.rememberInstalled(installed(10_005, 10_000), '2026-03-01T00:00:00.000Z', 'trust');
      await ledger.save();
      const read = new VerifiedLedger(dir);
      const at = (n: number) => read.lookup(`sha256:${String(n).padStart(64, '0')}`)?.at;
      assert.equal(at(0), '2026-06-01T00:00:00.000Z');
      assert.equal(at(20_004), '2026-03-01T00:00:00.000Z');
      for (let n = 10_000; n < 10_005; n++) assert.equal(at(n), undefined, `the oldest, ${n}, was kept`);
      // One more: one of the oldest goes, none of the newer.
      read.rememberInstalled(installed(30_000, 1), '2026-07-01T00:00:00.000Z', 'trust');
      await read.save();
      const again = new VerifiedLedger(dir);
      const has = (n: number) => again.lookup(`sha256:${String(n).padStart(64, '0')}`) !== undefined;
      assert.ok(has(30_000));
      assert.equal(installed(0, 10_000).filter((_, n) => has(n)).length, 10_000);
      assert.equal(installed(10_005, 10_000).filter((_, n) => has(10_005 + n)).length, 9_999);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
