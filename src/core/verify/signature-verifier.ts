import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.ts';
import type { SignatureCheck } from '../policy/decision.ts';
import { aamHome } from '../aam-home.ts';

/** Verifies one signature file over an artifact, whatever its kind. */
export interface SignatureVerifier {
  verify(type: 'sigstore' | 'gpg', signature: Uint8Array, artifact: Buffer): Promise<SignatureCheck>;
  /** Identifies the trust material (root and keyring settings), for caching verdicts. */
  trustDigest(): Promise<string>;
}

/** A path setting resolved against the folder of the config file that set it; `~/` is the home folder. */
export function configPath(config: LoadedConfig, key: 'sigstore_trusted_root' | 'gpg_home', homeDir: string): string | undefined {
  const value = config.security[key];
  if (!value) return undefined;
  if (value === '~' || value.startsWith('~/')) return join(homeDir, value.slice(1));
  if (isAbsolute(value)) return value;
  const file = config.merged.originOf(['security', key]).file;
  return resolve(file ? dirname(file) : process.cwd(), value);
}

/**
 * The verifier for a loaded config: the Sigstore trust root it names (or the
 * public-good root), and OpenPGP keys from the AAM keyring and GnuPG. The
 * Sigstore and OpenPGP libraries load on first use, not before.
 */
export function createSignatureVerifier(config: LoadedConfig, homeDir: string, env: Record<string, string | undefined> = process.env): SignatureVerifier {
  const requireTlog = config.security.verify_transparency_log;
  const rootPath = configPath(config, 'sigstore_trusted_root', homeDir);
  const gpgHome = configPath(config, 'gpg_home', homeDir) ?? env.GNUPGHOME;
  const keysDir = aamHome(homeDir).keysDir;
  let sigstore: Promise<(bundle: Uint8Array, artifact: Buffer) => SignatureCheck> | undefined;
  let gpg: Promise<(signature: Uint8Array, artifact: Buffer) => Promise<SignatureCheck>> | undefined;
  let root: Promise<{ digest: string }> | undefined;
  const loadRoot = async () => (await import('../sigstore/trusted-root.ts')).loadTrustRoot(rootPath);
  return {
    async verify(type, signature, artifact) {
      if (type === 'sigstore') {
        sigstore ??= (async () => {
          root ??= loadRoot();
          const trustRoot = (await root) as Awaited<ReturnType<typeof loadRoot>>;
          const { verifySigstoreBundle } = await import('../sigstore/verify.ts');
          return (bundle: Uint8Array, data: Buffer) => verifySigstoreBundle(bundle, data, { root: trustRoot, requireTlog });
        })();
        return (await sigstore)(signature, artifact);
      }
      gpg ??= (async () => {
        const { DirectoryKeyring, GnupgKeyring, combineKeyrings } = await import('../openpgp/keyring.ts');
        const { verifyDetachedSignature } = await import('../openpgp/verify.ts');
        const keys = combineKeyrings(new DirectoryKeyring(keysDir), new GnupgKeyring(gpgHome));
        return (sig: Uint8Array, data: Buffer) => verifyDetachedSignature(data, sig, keys);
      })();
      return (await gpg)(signature, artifact);
    },
    async trustDigest() {
      root ??= loadRoot();
      const digest = await root.then((r) => r.digest).catch(() => 'unavailable');
      return JSON.stringify({ root: digest, requireTlog, keysDir, gpgHome });
    },
  };
}
