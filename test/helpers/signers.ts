import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSigningKey, signDetached, signingKeySource } from '../../src/core/openpgp/sign.ts';
import { staticToken } from '../../src/core/sigstore/identity/providers.ts';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../src/core/workflows/publish.ts';
import type { Signing } from '../../src/core/workflows/publish.ts';
import { verifyWorkspace } from '../../src/core/verify/workspace.ts';
import type { PackageReport } from '../../src/core/verify/workspace.ts';
import { makeGpgHome } from './gpg.ts';
import type { useLocalSigstore } from './sigstore.ts';
import { makeWorld } from './workspace.ts';
import type { TestWorld } from './workspace.ts';

/** A world with a local Sigstore trust root and a GnuPG home holding keys A and B, and how to sign as each. */
export async function signersWorld(
  local: ReturnType<typeof useLocalSigstore>,
  security: (keys: { a: string; b: string }) => string,
): Promise<{
  w: TestWorld;
  keys: { a: string; b: string };
  gnupg: string;
  sigstore: (email: string) => Signing;
  gpg: (key: 'a' | 'b') => Signing;
  publish: (name: string, version: string, signing: Signing[]) => ReturnType<typeof publishPackage>;
  install: (...specs: string[]) => ReturnType<typeof installPackages>;
  verify: () => Promise<PackageReport[]>;
  writeSecurity: (text: string) => Promise<void>;
  /** Stores, as key B's signature of name@version, B's signature over other bytes: a forgery, not a stranger. */
  forgeSignature: (name: string, version: string) => Promise<void>;
}> {
  const w = await makeWorld();
  const { home: gnupg, fingerprints } = await makeGpgHome([
    { uid: 'Key A <a@example.com>', algo: 'ed25519' },
    { uid: 'Key B <b@example.com>', algo: 'ed25519' },
  ]);
  const keys = { a: fingerprints['Key A <a@example.com>']!, b: fingerprints['Key B <b@example.com>']! };
  const rootPath = join(w.root, 'trusted_root.json');
  await writeFile(rootPath, JSON.stringify(local.instance().trustedRoot()));
  const writeSecurity = (text: string) =>
    w.writeGlobalConfig(`sigstore_trusted_root: ${rootPath}\ngpg_home: ${gnupg}\n${text}`);
  await writeSecurity(security(keys));
  const sigstore = (email: string): Signing => ({
    method: 'sigstore',
    endpoints: local.endpoints(),
    identityProvider: staticToken(local.instance().mintToken(email)),
  });
  const gpg = (key: 'a' | 'b'): Signing => ({
    method: 'gpg',
    keySource: signingKeySource(key === 'a' ? 'a@example.com' : 'b@example.com', gnupg),
    prompt: async () => '',
  });
  return {
    w,
    keys,
    gnupg,
    sigstore,
    gpg,
    writeSecurity,
    async publish(name, version, signing) {
      const { verifier } = await w.services();
      return publishPackage({
        packageDir: await w.makePackage(name, version),
        registry: w.registry,
        signing,
        verifier,
      });
    },
    async install(...specs) {
      return installPackages(specs, { ...(await w.services()), registry: w.registry });
    },
    async verify() {
      return verifyWorkspace({ ...(await w.services()), recordSigners: true });
    },
    async forgeSignature(name, version) {
      const keyB = await loadSigningKey(signingKeySource('b@example.com', gnupg), async () => '');
      await w.registry.addSignature(name, version, {
        type: 'gpg',
        bytes: await signDetached(Buffer.from('other bytes'), keyB),
        record: { fingerprint: keys.b, signed_at: undefined },
      });
    },
  };
}

/** A report as one line: status/action/code and its findings. */
export function statusOf(report: PackageReport | undefined): string {
  if (!report) return 'missing';
  const { verdict } = report;
  return `${verdict.status}/${verdict.action}/${verdict.code}${report.findings.map((f) => ` +${f.code}/${f.action}`).join('')}`;
}
