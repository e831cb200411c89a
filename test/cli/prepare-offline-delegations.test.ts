import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalRegistry } from '../../src/core/registry/local-registry.ts';
import { delegateOf, delegateSigning } from '../../src/core/workflows/delegate.ts';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../src/core/workflows/publish.ts';
import { cli } from '../helpers/cli.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { signersWorld } from '../helpers/signers.ts';

/**
 * prepare-offline keeps a registry's delegations in the evidence cache, which every project on
 * the machine reads beside its registries' own, and which verification stops trusting when it
 * holds more files than clients read. A registry's junk, or delegations for packages the
 * project does not have, are not kept: one registry cannot switch off delegated trust for
 * another's packages.
 */
describe('prepare-offline and the delegations it keeps', () => {
  const local = useLocalSigstore();

  it("keeps a delegation the package needs, and no other registry's junk", async () => {
    const s = await signersWorld(local, () => 'trusted_identities: ["alice@example.com"]\non_signature_failure: error');
    const { verifier } = await s.w.services();
    await delegateSigning({
      registry: s.w.registry,
      pattern: '@acme/*',
      delegate: delegateOf('bob@partner.io'),
      until: new Date(Date.now() + 365 * 86_400_000),
      maxDepth: 0,
      signing: s.sigstore('alice@example.com'),
      verifier,
    });
    await s.publish('@acme/tool', '1.0.0', [s.sigstore('bob@partner.io')]);
    await s.install('@acme/tool');
    // A second registry, from which one package is installed, serves 256 files that are no delegation.
    const otherDir = join(s.w.root, 'other-registry');
    const other = await LocalRegistry.create(otherDir, { name: 'other' });
    await publishPackage({
      packageDir: await s.w.makePackage('bait', '1.0.0'),
      registry: other,
      verifier,
      signing: undefined,
    });
    const globalConfig = join(s.w.home, '.aam', 'config.yaml');
    await writeFile(
      globalConfig,
      (await readFile(globalConfig, 'utf8')).replace(
        'registries:\n',
        `registries:\n  - name: other\n    url: ${pathToFileURL(otherDir).href}\n    type: local\n`,
      ),
    );
    await installPackages(['bait'], { ...(await s.w.services()), registry: other, platforms: [] });
    await mkdir(join(otherDir, 'delegations'), { recursive: true });
    for (let i = 0; i < 256; i++)
      await writeFile(
        join(otherDir, 'delegations', `${createHash('sha256').update(`junk ${i}`).digest('hex')}.json`),
        'not a delegation',
      );

    const prepared = await cli(['prepare-offline'], { cwd: s.w.project, home: s.w.home });
    assert.equal(prepared.code, 0, prepared.stderr);
    const kept = await readdir(join(s.w.home, '.aam', 'cache', 'delegations'));
    assert.deepEqual(kept, await readdir(join(s.w.registryDir, 'delegations')), "alice's delegation, and nothing else");
    for (const flags of [['--no-cache'], ['--no-cache', '--offline']]) {
      const run = await cli(['verify', '--json', ...flags], { cwd: s.w.project, home: s.w.home });
      const pkg = (JSON.parse(run.stdout) as { packages: { name: string; status: string }[] }).packages.find(
        (p) => p.name === '@acme/tool',
      );
      assert.equal(pkg?.status, 'verified', `${flags.join(' ')}: ${run.stdout.slice(0, 2000)}`);
    }
  });
});
