import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { cli } from '../helpers/cli.ts';
import { signedWorld } from '../helpers/signed-world.ts';
import type { SignedWorld } from '../helpers/signed-world.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';

/**
 * --use-cached-verification: when the evidence cannot be reached (the
 * registry down, the evidence cache emptied), a package is judged by this
 * machine's earlier verification of the same archive, which says how old it is.
 */
describe('aam-trust verify --use-cached-verification', () => {
  const local = useLocalSigstore();
  let w: SignedWorld;
  const verify = (...args: string[]) => cli(['verify', '--no-cache', ...args], { cwd: w.project, home: w.home });
  const unreachable = async () => {
    await rename(w.registryDir, `${w.registryDir}.down`);
    await rm(join(w.home, '.aam', 'cache', 'sha256'), { recursive: true, force: true });
  };

  before(async () => {
    w = await signedWorld(local.instance(), 'trusted_identities: ["*@example.com"]\non_signature_failure: error');
    for (const name of ['kept', 'edited']) await w.publish(name, '1.0.0', 'alice@example.com');
    await installPackages(['kept', 'edited'], { ...(await w.services()), registry: w.registry, platforms: [] });
  });

  it('without it, evidence that cannot be reached fails; with it, the earlier verification stands, with its age', async () => {
    assert.equal((await verify()).code, 0, 'verified once while the registry is there');
    await unreachable();
    await appendFile(join(w.project, '.aam', 'packages', 'edited', 'prompts', 'hello.md'), 'edited\n');
    const without = await verify('--json');
    assert.equal(without.code, 1);
    assert.deepEqual(
      JSON.parse(without.stdout).packages.map((p: { name: string; status: string }) => `${p.name}:${p.status}`),
      ['edited:unavailable', 'kept:unavailable'],
    );
    const cached = await verify('--use-cached-verification', '--json');
    const packages = JSON.parse(cached.stdout).packages as {
      name: string;
      status: string;
      message: string;
      cached_verification: { at: string } | null;
    }[];
    assert.deepEqual(
      packages.map((p) => `${p.name}:${p.status}`),
      ['edited:tampered', 'kept:verified'],
    );
    assert.match(
      packages[1]!.message,
      /^Signed by alice@example\.com .*trusted by "\*@example\.com"\. \(From this machine's verification of \d{4}-\d\d-\d\dT[^ ]+, as asked with --use-cached-verification: The archive of kept@1\.0\.0 is not available/,
    );
    assert.match(
      cached.stderr,
      /⚠ kept@1\.0\.0: judged by this machine's verification of \S+ \(\d+ minutes? old\), because the archive of kept@1\.0\.0 is not available/,
    );
    // The installed files are still checked, against what was verified here: an edit is not hidden by the cache.
    assert.match(
      packages[0]!.message,
      /Installed files of edited differ from the archive this machine verified \(modified: prompts\/hello\.md\)/,
    );
    assert.equal(cached.code, 1);
  });

  it('a machine that never verified the archive has nothing to fall back on', async () => {
    await rm(join(w.home, '.aam', 'cache', 'verified'), { recursive: true, force: true });
    const run = await verify('--use-cached-verification', '--json', 'kept');
    assert.equal(JSON.parse(run.stdout).packages[0].status, 'unavailable');
    await rename(`${w.registryDir}.down`, w.registryDir);
  });
});
