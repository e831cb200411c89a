import { readRegularFile } from '../fs/safe-read.ts';
import { createMessage, decryptKey, readPrivateKey, sign } from 'openpgp';
import type { PrivateKey } from 'openpgp';
import { AamError, messageOf } from '../errors.ts';
import { exportSecretKey, findSecretKey } from './gnupg.ts';

/** Where the signing key comes from: an armored key file, or a GnuPG home. */
export type SigningKeySource =
  { kind: 'file'; path: string } | { kind: 'gnupg'; gpgHome: string | undefined; query: string };

/** Asks the user for a passphrase; undefined means they cancelled. Never logged. */
export type PassphrasePrompt = (keyDescription: string, retry: boolean) => Promise<string | undefined>;

/** A decrypted signing key, ready to sign. */
export interface SigningKey {
  key: PrivateKey;
  fingerprint: string;
  userIds: string[];
}

/** Reads `gpg_key`: a path to an armored secret key file, or a key id/fingerprint/email in GnuPG. */
export function signingKeySource(gpgKey: string, gpgHome: string | undefined): SigningKeySource {
  return /[/\\]|\.(asc|gpg|key)$/i.test(gpgKey)
    ? { kind: 'file', path: gpgKey }
    : { kind: 'gnupg', gpgHome, query: gpgKey };
}

export async function loadSigningKey(source: SigningKeySource, prompt: PassphrasePrompt): Promise<SigningKey> {
  if (source.kind === 'file') {
    let armored: string;
    try {
      const bytes = await readRegularFile(source.path, 'key');
      if (!bytes) throw new Error('no such file');
      armored = bytes.toString('utf8');
    } catch (error) {
      throw new AamError('KEY_NOT_FOUND', `Cannot read the signing key ${source.path}: ${messageOf(error)}.`, {
        hint: 'Set security.gpg_key to an existing armored secret key file or a GnuPG key id.',
      });
    }
    return unlock(await parsePrivate(armored, source.path), prompt);
  }
  const info = await findSecretKey(source.gpgHome, source.query);
  const label = `${info.userIds[0] ?? info.fingerprint} (${info.fingerprint})`;
  // gpg re-protects an exported key with its passphrase; an unprotected key exports with an empty one.
  let armored: string | undefined;
  let passphrase = '';
  for (let attempt = 0; armored === undefined; attempt++) {
    try {
      armored = await exportSecretKey(source.gpgHome, info.fingerprint, passphrase);
    } catch (error) {
      if (!(error instanceof AamError) || error.code !== 'PASSPHRASE_WRONG' || attempt >= 3) throw error;
      const answer = await prompt(label, attempt > 0);
      if (answer === undefined) throw new AamError('CANCELLED', 'Signing was cancelled: no passphrase given.');
      passphrase = answer;
    }
  }
  const key = await parsePrivate(armored, label);
  return unlock(key, async () => passphrase);
}

async function parsePrivate(armored: string, where: string): Promise<PrivateKey> {
  try {
    return await readPrivateKey({ armoredKey: armored });
  } catch (error) {
    throw new AamError('KEY_NOT_FOUND', `${where} is not an OpenPGP secret key: ${messageOf(error)}.`, {
      cause: error,
    });
  }
}

async function unlock(key: PrivateKey, prompt: PassphrasePrompt): Promise<SigningKey> {
  const fingerprint = key.getFingerprint().toUpperCase();
  const userIds = key.getUserIDs();
  if (key.isDecrypted()) return { key, fingerprint, userIds };
  const label = `${userIds[0] ?? fingerprint} (${fingerprint})`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const passphrase = await prompt(label, attempt > 0);
    if (passphrase === undefined) throw new AamError('CANCELLED', 'Signing was cancelled: no passphrase given.');
    try {
      return { key: await decryptKey({ privateKey: key, passphrase }), fingerprint, userIds };
    } catch {
      // wrong passphrase: ask again
    }
  }
  throw new AamError('PASSPHRASE_WRONG', `The passphrase for ${label} is wrong.`, {
    hint: 'Try again with the passphrase of that key.',
  });
}

/** An ASCII-armored detached signature over the archive bytes (binary, not text, mode). */
export async function signDetached(data: Uint8Array, signingKey: SigningKey): Promise<Buffer> {
  const message = await createMessage({ binary: data });
  const armored = await sign({ message, signingKeys: signingKey.key, detached: true, format: 'armored' });
  return Buffer.from(armored);
}
