import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { acceptChanges } from '../../../src/core/workflows/accept.ts';
import { readTrustRecord } from '../../../src/core/record/trust-record.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';
import { signedWorld } from '../../helpers/signed-world.ts';
import { installAliceOverMallory, swappingVerifier, TRUSTS_ALICE } from '../../helpers/race-lock.ts';

describe('accept', () => {
  const local = useLocalSigstore();

  it('when the lock file is rewritten during verification, records the version and checksum that were verified', async () => {
    const w = await signedWorld(local.instance(), TRUSTS_ALICE);
    const { services, lockPath, swapped, verified, mallorys } = await installAliceOverMallory(w, []);
    const { verifier, seen } = swappingVerifier(services.verifier, lockPath, swapped);
    const [after] = await acceptChanges(['hello'], { ...services, verifier, homeDir: w.home });
    assert.ok(seen.swapped);
    const recorded = (await readTrustRecord(join(w.project, '.aam', 'trust-record.yaml'))).packages.hello;
    assert.deepEqual(
      [recorded?.version, recorded?.checksum, recorded?.signature?.type === 'sigstore' && recorded.signature.identity],
      ['1.0.0', verified, 'alice@example.com'],
      "alice's signature stays bound to the bytes it was checked against",
    );
    // mallory's 0.9.0, which the lock file now names, was never accepted: it is judged afresh.
    assert.equal(after?.checksum, mallorys);
    assert.equal(after?.verdict.action, 'fail');
  });
});
