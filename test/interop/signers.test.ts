import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { aam, aamOk } from '../helpers/aam.ts';
import { makeGpgHome } from '../helpers/gpg.ts';
import { interopWorld } from '../helpers/interop.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';

/**
 * A registry that holds several signatures per version and a delegations/
 * folder is still an AAM registry: the real aam searches, shows, installs
 * and publishes beside them; what it writes, AAM Trust still reads.
 */
describe('several signatures and delegations in a registry, with the real aam CLI', () => {
  const local = useLocalSigstore();

  it('aam installs and publishes beside co-signed and delegated versions; AAM Trust still verifies them after aam wrote', async () => {
    const w = await interopWorld(local);
    const { home: gnupg } = await makeGpgHome([
      { uid: 'Key A <a@example.com>', algo: 'ed25519' },
      { uid: 'Key B <b@example.com>', algo: 'ed25519' },
    ]);
    assert.equal((await w.trust('registry', 'init', w.registry)).code, 0);
    await writeFile(
      join(w.home, '.aam', 'config.yaml'),
      `registries:\n- name: team\n  url: ${pathToFileURL(w.registry).href}\n  type: local\n  default: true\nsecurity:\n  require_checksum: true\n`,
    );
    await w.addTrust(
      `trusted_identities: ["*@example.com"]\ngpg_home: ${gnupg}\nsignature_threshold:\n    "@acme/cosigned": 2`,
    );
    const ok = (run: { code: number; stderr: string }) => assert.equal(run.code, 0, run.stderr);
    ok(
      await w.trust(
        'publish',
        await w.source('@acme/cosigned', '1.0.0'),
        '--signing-method',
        'sigstore',
        '--identity-token',
        w.token(),
      ),
    );
    ok(await w.trust('sign', '@acme/cosigned@1.0.0', '--identity-token', w.token('carol@example.com')));
    // Two delegations in the registry (one the packages never use): aam has a delegations/ folder to ignore.
    for (const delegate of ['a@example.com', 'bob@partner.io'])
      ok(
        await w.trust('delegate', '@acme/*', '--to', delegate, '--until', '2099-01-01', '--identity-token', w.token()),
      );
    ok(
      await w.trust(
        'publish',
        await w.source('@acme/delegated', '1.0.0'),
        '--signing-method',
        'sigstore',
        '--identity-token',
        w.token('bob@partner.io'),
        '--gpg-key',
        'a@example.com',
      ),
    );
    assert.deepEqual((await readdir(join(w.registry, 'packages', 'acme--cosigned', 'versions'))).sort(), [
      '1.0.0.aam',
      '1.0.0.aam.2.sigstore.json',
      '1.0.0.aam.sigstore.json',
    ]);
    assert.equal((await readdir(join(w.registry, 'delegations'))).length, 2);

    // The real aam reads this registry as its own: search, install, info.
    assert.match(
      await w.theirs('search', 'acme'),
      /@acme\/cosigned[\s\S]*@acme\/delegated|@acme\/delegated[\s\S]*@acme\/cosigned/,
    );
    await w.theirs('install', '@acme/cosigned');
    await w.theirs('install', '@acme/delegated');
    assert.match(await w.theirs('info', '@acme/cosigned'), /1\.0\.0/);
    // aam publishes beside them (rebuilding the index from every metadata.yaml) and leaves their files alone.
    const third = await w.source('@acme/third', '1.0.0');
    await aamOk(['pkg', 'pack'], { cwd: third, home: w.home });
    await aamOk(['pkg', 'publish'], { cwd: third, home: w.home });
    assert.match(
      await readFile(join(w.registry, 'packages', 'acme--cosigned', 'metadata.yaml'), 'utf8'),
      /file: 1\.0\.0\.aam\.2\.sigstore\.json/,
    );

    // AAM Trust verifies what aam installed: two signers for the threshold, a delegated pair of signatures.
    const verified = await w.trust('verify', '--json');
    assert.equal(verified.code, 0, verified.stdout);
    const packages = (JSON.parse(verified.stdout) as { packages: { name: string; code: string; message: string }[] })
      .packages;
    assert.deepEqual(
      packages.map((p) => `${p.name}: ${p.code}`),
      ['@acme/cosigned: VERIFIED', '@acme/delegated: VERIFIED'],
    );
    assert.match(packages[0]!.message, /2 trusted signers \(signature_threshold 2 for @acme\/cosigned\)/);
    assert.match(packages[1]!.message, /delegated by alice@example\.com for @acme\/\*/);
    // aam's own verify still reads the lock file and the installed files.
    const theirs = await aam(['verify', '--all'], { cwd: w.project, home: w.home });
    assert.equal(theirs.code, 0, theirs.stdout + theirs.stderr);
  });
});
