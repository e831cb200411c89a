import { runGpg, findSecretKey } from '../../src/core/openpgp/gnupg.ts';
import { join } from 'node:path';
import { loadConfig } from '../../src/core/config/load.ts';
import { signingKeySource } from '../../src/core/openpgp/sign.ts';
import { verifyWorkspace } from '../../src/core/verify/workspace.ts';
import type { PackageReport } from '../../src/core/verify/workspace.ts';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../src/core/workflows/publish.ts';
import { stopGnupgAtExit, tempDir } from './temp.ts';
import type { TestWorld } from './workspace.ts';

/** A fresh GnuPG home with real keys, made by real gpg. */
export async function makeGpgHome(
  keys: { uid: string; algo: 'ed25519' | 'rsa3072'; passphrase?: string }[],
): Promise<{ home: string; fingerprints: Record<string, string> }> {
  const home = await tempDir('aam-gnupg-');
  stopGnupgAtExit(home);
  const fingerprints: Record<string, string> = {};
  for (const key of keys) {
    const result = await runGpg(
      [
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        key.passphrase ?? '',
        '--quick-gen-key',
        key.uid,
        key.algo,
        'sign',
        'never',
      ],
      { gpgHome: home },
    );
    if (result.code !== 0) throw new Error(`gpg key generation failed: ${result.stderr}`);
    fingerprints[key.uid] = (await findSecretKey(home, key.uid.replace(/^.*<(.*)>$/, '$1'))).fingerprint;
  }
  return { home, fingerprints };
}

/**
 * Package `signed` published with key `fingerprint` from the GnuPG home at
 * `~/.aam/gnupg` of the world, whose global policy trusts that key alone and
 * requires a signature, installed; and a reader of its verdict, verified
 * online with the policy as it is then.
 */
export async function installedSignedBy(
  w: TestWorld,
  fingerprint: string,
): Promise<() => Promise<PackageReport['verdict']>> {
  const gnupg = join(w.home, '.aam', 'gnupg');
  await w.writeGlobalConfig(
    `gpg_home: gnupg\nrequire_signature: true\non_signature_failure: error\ntrusted_keys: [${fingerprint}]`,
  );
  await publishPackage({
    packageDir: await w.makePackage('signed', '1.0.0'),
    registry: w.registry,
    verifier: (await w.services()).verifier,
    signing: { method: 'gpg', keySource: signingKeySource(fingerprint, gnupg), prompt: async () => '' },
  });
  await installPackages(['signed'], { ...(await w.services()), registry: w.registry });
  return async () => {
    const config = await loadConfig({ homeDir: w.home, projectDir: w.project, env: {}, restricted: false });
    const results = await verifyWorkspace({ ...(await w.services(config)), offline: false });
    return results.find((r) => r.name === 'signed')!.verdict;
  };
}
