import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { restoreDeployed } from '../../../src/core/workflows/restore.ts';
import { isAamError } from '../../../src/core/errors.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';
import { signedWorld } from '../../helpers/signed-world.ts';
import { installAliceOverMallory, swappingVerifier, TRUSTS_ALICE } from '../../helpers/race-lock.ts';

const STRICT = `${TRUSTS_ALICE}\nrequire_signature: true\non_signature_failure: error`;

describe('restore', () => {
  const local = useLocalSigstore();

  it('when the lock file is rewritten during verification, writes the archive that was verified, never the one the lock now names', async () => {
    const w = await signedWorld(local.instance(), STRICT);
    const { services, lockPath, swapped } = await installAliceOverMallory(w, ['cursor']);
    const prompt = join(w.project, '.cursor', 'prompts', 'hello-hello.md');
    await writeFile(prompt, 'edited\n');
    const { verifier, seen } = swappingVerifier(services.verifier, lockPath, swapped);
    const after = await restoreDeployed('hello', { ...services, verifier, homeDir: w.home, platforms: ['cursor'] });
    assert.ok(seen.swapped);
    assert.equal(await readFile(prompt, 'utf8'), '# hello 1.0.0\n', "alice's verified 1.0.0, not mallory's 0.9.0");
    // The lock file now names mallory's archive: verifying it afterwards says so.
    assert.deepEqual([after.version, after.verdict.action], ['0.9.0', 'fail']);
  });

  it('holds the install lock while it verifies, so an install cannot change the package under it', async () => {
    const w = await signedWorld(local.instance(), STRICT);
    const { services, lockPath } = await installAliceOverMallory(w, ['cursor']);
    const lockText = await readFile(lockPath, 'utf8');
    const { verifier, seen } = swappingVerifier(services.verifier, lockPath, lockText);
    const after = await restoreDeployed('hello', { ...services, verifier, homeDir: w.home, platforms: ['cursor'] });
    assert.equal(seen.sawInstallLock, true, '.aam/.install.lock is held during verification');
    assert.equal(after.verdict.action, 'pass');
    await assert.rejects(stat(join(w.project, '.aam', '.install.lock')), 'and released afterwards');
  });

  it('in a project with nothing installed (no .aam), fails with NOT_INSTALLED and creates nothing', async () => {
    const w = await signedWorld(local.instance(), STRICT);
    const services = await w.services();
    await rm(join(w.project, '.aam'), { recursive: true });
    await assert.rejects(restoreDeployed('hello', { ...services, homeDir: w.home, platforms: ['cursor'] }), (e) =>
      isAamError(e, 'NOT_INSTALLED'),
    );
    await assert.rejects(stat(join(w.project, '.aam')));
  });
});
