import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LoadedConfig } from '../config/load.ts';
import { resolveConfigPath } from '../config/paths.ts';
import type { SignatureCheck } from '../policy/decision.ts';
import { aamHome } from '../aam-home.ts';
import type { LeanKey, LeanKeySource } from '../openpgp/lean-keys.ts';
import type { PublicKeyLookup } from '../openpgp/keyring.ts';
import type { verifyDetachedSignature } from '../openpgp/verify.ts';
import { nowNs, settled, stampOf } from '../scan/stamps.ts';

/** Verifies one signature file over an artifact, whatever its kind. */
export interface SignatureVerifier {
  readonly settings: VerifierSettings;
  /** `artifactSha256`: the artifact's SHA-256 when the caller has it already (saves hashing it again). */
  verify(
    type: 'sigstore' | 'gpg',
    signature: Uint8Array,
    artifact: Buffer,
    artifactSha256?: Buffer | undefined,
  ): Promise<SignatureCheck>;
  /**
   * An OpenPGP signature checked with a key the signed document brings (a delegation's, an approval's),
   * merged with this verifier's own copies of that key: a revocation in any copy counts. The key it
   * brings says only which key signed; trust is still by fingerprint.
   */
  verifyWithBroughtKey(signature: Uint8Array, artifact: Buffer, armoredKey: string): Promise<SignatureCheck>;
  /** Identifies the trust material (root, log requirement, keyrings and their contents), for caching results. */
  trustDigest(): Promise<string>;
  /** An OpenPGP key as the fast path needs it, and its validity at `at`: what verification threads ask of the thread that started them. */
  leanKey(keyId: string, at: Date): Promise<{ key: LeanKey; valid: boolean } | undefined>;
  /**
   * Starts fetching the OpenPGP keys with these fingerprints (what a lock file
   * says signed its packages), so that GnuPG runs while jobs are prepared. A
   * hint only: what verifies is still the key each signature names.
   */
  prefetchKeys(fingerprints: readonly string[]): void;
}

/** What a verifier needs, as plain data: verification workers rebuild the verifier from it. */
export interface VerifierSettings {
  rootPath: string | undefined;
  requireTlog: boolean;
  keysDir: string;
  gpgHome: string | undefined;
}

/** A path setting resolved against the folder of the config file that set it; `~/` is the home folder. */
export function configPath(
  config: LoadedConfig,
  key: 'sigstore_trusted_root' | 'gpg_home',
  homeDir: string,
): string | undefined {
  const value = config.security[key];
  return value ? resolveConfigPath(value, config.merged.originOf(['security', key]).file, homeDir) : undefined;
}

export function verifierSettings(
  config: LoadedConfig,
  homeDir: string,
  env: Record<string, string | undefined> = process.env,
): VerifierSettings {
  return {
    rootPath: configPath(config, 'sigstore_trusted_root', homeDir),
    requireTlog: config.security.verify_transparency_log,
    keysDir: aamHome(homeDir).keysDir,
    gpgHome: configPath(config, 'gpg_home', homeDir) ?? env.GNUPGHOME,
  };
}

/**
 * The verifier for a loaded config: the Sigstore trust root it names (or the
 * public-good root), and OpenPGP keys from the AAM keyring and GnuPG. The
 * Sigstore and OpenPGP libraries load on first use, not before.
 */
export function createSignatureVerifier(
  config: LoadedConfig,
  homeDir: string,
  env: Record<string, string | undefined> = process.env,
): SignatureVerifier {
  return verifierFromSettings(verifierSettings(config, homeDir, env));
}

/**
 * A verifier built from settings. `leanKeys`, on a verification thread, is
 * where the OpenPGP fast path gets its keys (the thread that started it): the
 * common signature then loads neither openpgp.js nor GnuPG there; anything
 * else gets openpgp.js's verdict, as everywhere.
 */
export function verifierFromSettings(
  settings: VerifierSettings,
  options: { leanKeys?: LeanKeySource } = {},
): SignatureVerifier {
  let sigstore: Promise<(bundle: Uint8Array, artifact: Buffer, sha256?: Buffer) => SignatureCheck> | undefined;
  let gpg: Promise<{ keys: PublicKeyLookup; verify: typeof verifyDetachedSignature; lean: LeanKeySource }> | undefined;
  const openpgp = () =>
    (gpg ??= (async () => {
      const { DirectoryKeyring, GnupgKeyring, combineKeyrings } = await import('../openpgp/keyring.ts');
      const { verifyDetachedSignature, leanKeysOf } = await import('../openpgp/verify.ts');
      const keys = combineKeyrings(new DirectoryKeyring(settings.keysDir), new GnupgKeyring(settings.gpgHome));
      return { keys, verify: verifyDetachedSignature, lean: leanKeysOf(keys) };
    })());
  return {
    settings,
    async verify(type, signature, artifact, artifactSha256) {
      if (type === 'sigstore') {
        sigstore ??= (async () => {
          const trustRoot = await (await import('../sigstore/trusted-root.ts')).loadTrustRoot(settings.rootPath);
          const { verifySigstoreBundle } = await import('../sigstore/verify.ts');
          return (bundle: Uint8Array, data: Buffer, sha256?: Buffer) =>
            verifySigstoreBundle(bundle, data, {
              root: trustRoot,
              requireTlog: settings.requireTlog,
              artifactSha256: sha256,
            });
        })();
        return (await sigstore)(signature, artifact, artifactSha256);
      }
      if (options.leanKeys) {
        const [{ leanVerify }, { parseLeanSignature }] = await Promise.all([
          import('../openpgp/lean-verify.ts'),
          import('../openpgp/lean-signature.ts'),
        ]);
        const lean = parseLeanSignature(signature);
        const signer = lean && (await leanVerify(lean, artifact, options.leanKeys));
        if (signer) return { state: 'valid', signer };
        const { keys, verify } = await openpgp();
        return verify(artifact, signature, keys, { referenceOnly: true });
      }
      const { keys, verify } = await openpgp();
      return verify(artifact, signature, keys);
    },
    async verifyWithBroughtKey(signature, artifact, armoredKey) {
      const { keys, verify } = await openpgp();
      const { ArmoredKeyring, combineKeyrings } = await import('../openpgp/keyring.ts');
      return verify(artifact, signature, combineKeyrings(keys, new ArmoredKeyring(armoredKey)));
    },
    async trustDigest() {
      return trustDigestOf(settings);
    },
    async leanKey(keyId, at) {
      return (await openpgp()).lean.find(keyId, at);
    },
    prefetchKeys(fingerprints) {
      const keyIds = fingerprints.flatMap((f) => (/^[0-9A-Fa-f]{40}$/.test(f) ? [f.slice(-16).toLowerCase()] : []));
      if (keyIds.length === 0) return;
      // A failure here is met again, and reported, when a signature asks for the key.
      openpgp()
        .then(({ keys }) => Promise.all(keyIds.map((id) => keys.find(id))))
        .catch(() => undefined);
    },
  };
}

/**
 * What the verdicts of a verifier with these settings depend on, cheaply (no
 * Sigstore code is loaded): the trusted root's bytes, the log requirement,
 * and the keyrings' stamps — importing a key changes what verifies.
 */
export function trustDigestOf(settings: VerifierSettings): string {
  let root: string;
  if (!settings.rootPath) root = 'public-good (shipped)';
  else {
    try {
      root = rootDigest(settings.rootPath);
    } catch (error) {
      root = `unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
    }
  }
  // Without gpg_home or GNUPGHOME, gpg reads ~/.gnupg.
  const gpgHome = settings.gpgHome ?? join(homedir(), '.gnupg');
  const gnupg = ['pubring.kbx', 'pubring.gpg', 'public-keys.d/pubring.db'].map((file) => stampOf(join(gpgHome, file)));
  // The AAM keyring's files too: a key file rewritten in place (a refreshed key, now revoked) leaves its folder's stamp.
  const keyrings = [stampOf(settings.keysDir), ...keyFileStamps(settings.keysDir), ...gnupg];
  return JSON.stringify({ root, ...settings, keyrings });
}

/** The trusted root's digest by path, with the stamp it was read under (a long-running host asks on every run). */
const rootDigests = new Map<string, { stamp: string; at: string; digest: string }>();

/** SHA-256 of the trusted root file, hashed again unless its stamp is the one it was read under, and had settled. */
function rootDigest(path: string): string {
  const at = String(nowNs());
  const stamp = stampOf(path);
  const known = rootDigests.get(path);
  if (stamp && known && known.stamp === stamp && settled(stamp, known.at)) return known.digest;
  const digest = `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
  if (stamp) rootDigests.set(path, { stamp, at, digest });
  return digest;
}

/** Each file of the AAM keyring folder with its stamp, in name order; none when the folder cannot be listed. */
function keyFileStamps(keysDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(keysDir).sort();
  } catch {
    return [];
  }
  return names.map((name) => `${name} ${stampOf(join(keysDir, name))}`);
}
