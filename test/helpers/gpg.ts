import { runGpg, findSecretKey } from '../../src/core/openpgp/gnupg.ts';
import { stopGnupgAtExit, tempDir } from './temp.ts';

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
