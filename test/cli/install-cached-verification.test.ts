import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { archivePathIn } from '../../src/core/registry/layout.ts';
import { cli } from '../helpers/cli.ts';
import { signedWorld } from '../helpers/signed-world.ts';
import type { SignedWorld } from '../helpers/signed-world.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';

/**
 * install --use-cached-verification (seeds: "aam install @author/my-package
 * --use-cached-verification" when the transparency log is unreachable): as on
 * verify, evidence that cannot be reached now is stood in for by this
 * machine's earlier verification of the same archive — an earlier install
 * counts — which says how old it is; with no earlier result, refused.
 */
describe('aam-trust install --use-cached-verification', () => {
  const local = useLocalSigstore();
  let w: SignedWorld;
  let other: string;
  const install = (cwd: string, ...args: string[]) => cli(['install', '--no-deploy', ...args], { cwd, home: w.home });
  const archiveOf = (name: string) => archivePathIn(w.registryDir, name, '1.0.0');

  before(async () => {
    w = await signedWorld(local.instance(), 'trusted_identities: ["*@example.com"]\non_signature_failure: error');
    await w.publish('@author/my-package', '1.0.0', 'alice@example.com');
    other = join(w.root, 'other-project');
    await mkdir(other, { recursive: true });
  });

  it('is listed by --help, and does not go with --no-verify', async () => {
    assert.match(
      (await cli(['install', '--help'], { cwd: w.project, home: w.home })).stdout,
      /--use-cached-verification/,
    );
    const both = await install(other, '@author/my-package', '--no-verify', '--use-cached-verification');
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /--use-cached-verification and --no-verify do not go together/);
  });

  it('without it, an archive that cannot be reached fails the install; with it, an earlier install here stands, with its age', async () => {
    assert.equal((await install(w.project, '@author/my-package')).code, 0, 'installed once while the registry has it');
    await rename(archiveOf('@author/my-package'), `${archiveOf('@author/my-package')}.gone`);
    const without = await install(other, '@author/my-package');
    assert.equal(without.code, 1, without.stderr);
    assert.match(without.stderr, /The archive of @author\/my-package@1\.0\.0 is missing from registry "team"/);
    const cached = await install(other, '@author/my-package', '--use-cached-verification');
    assert.equal(cached.code, 0, cached.stderr);
    assert.match(
      cached.stderr,
      /⚠ @author\/my-package@1\.0\.0: judged by this machine's verification of \d{4}-\d\d-\d\dT\S+ \(\d+ minutes? old\), because the archive of @author\/my-package@1\.0\.0 is missing from registry "team"/,
    );
    assert.match(
      cached.stdout,
      /Signed by alice@example\.com .*\(From this machine's verification of \S+, as asked with --use-cached-verification: The archive of @author\/my-package@1\.0\.0 is missing/,
    );
    // What was installed is the archive verified before (from the evidence cache, its checksum checked).
    const lock = await readFile(join(other, '.aam', 'aam-lock.yaml'), 'utf8');
    assert.match(lock, /@author\/my-package/);
  });

  it('a machine with no earlier verification of the archive refuses, and installs nothing', async () => {
    await rm(join(other, '.aam'), { recursive: true, force: true });
    await rm(join(w.home, '.aam', 'cache', 'verified'), { recursive: true, force: true });
    const refused = await install(other, '@author/my-package', '--use-cached-verification');
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /@author\/my-package@1\.0\.0: its evidence cannot be reached \(The archive of @author\/my-package@1\.0\.0 is missing from registry "team"\), and this machine has not verified this archive before: --use-cached-verification has no earlier result to use/,
    );
    await assert.rejects(readFile(join(other, '.aam', 'aam-lock.yaml')));
    // Nor when the archive itself is nowhere here (not in the evidence cache either).
    await rm(join(w.home, '.aam', 'cache', 'sha256'), { recursive: true, force: true });
    const nowhere = await install(other, '@author/my-package', '--use-cached-verification');
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /nor is the archive in the evidence cache/);
    await rename(`${archiveOf('@author/my-package')}.gone`, archiveOf('@author/my-package'));
  });
});
