import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { enums, generateKey, readPrivateKey, revokeKey } from 'openpgp';
import { importPublicKey } from '../../src/core/openpgp/keyring.ts';
import type { Signing } from '../../src/core/workflows/publish.ts';
import type { TestWorld } from './workspace.ts';

/**
 * An OpenPGP publisher in `w`: a new Curve25519 key (Pat), its secret key in a file that
 * `signing` signs with, its public key imported into the AAM keyring (`imported`, in
 * `keysDir`), and `security(fingerprint)` as the global config's security settings.
 * `revoked()` is the public key with a key-compromise revocation, to import or copy over.
 */
export async function pgpPublisher(w: TestWorld, security: (fingerprint: string) => string) {
  const { privateKey, publicKey } = await generateKey({
    type: 'curve25519',
    userIDs: [{ name: 'Pat', email: 'pat@example.com' }],
    format: 'armored',
  });
  const keyFile = join(w.root, 'secret-key.asc');
  await writeFile(keyFile, privateKey);
  const keysDir = join(w.home, '.aam', 'keys');
  const [imported] = await importPublicKey(publicKey, keysDir);
  await w.writeGlobalConfig(security(imported!.fingerprint));
  const signing: Signing = { method: 'gpg', keySource: { kind: 'file', path: keyFile }, prompt: async () => '' };
  const revoked = async (reason?: string) =>
    (
      await revokeKey({
        key: await readPrivateKey({ armoredKey: privateKey }),
        reasonForRevocation: { flag: enums.reasonForRevocation.keyCompromised, ...(reason ? { string: reason } : {}) },
        format: 'armored',
      })
    ).publicKey;
  return { imported: imported!, keysDir, signing, revoked };
}
