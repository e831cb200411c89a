import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalSigstore } from '../../dev/local-sigstore/instance.ts';
import { staticToken } from '../../src/core/sigstore/identity/providers.ts';
import { publishPackage } from '../../src/core/workflows/publish.ts';
import { makeWorld } from './workspace.ts';
import type { TestWorld } from './workspace.ts';

/** A test world whose policy trusts a local Sigstore instance, and that publishes packages signed by it. */
export interface SignedWorld extends TestWorld {
  rootPath: string;
  /** Rewrites the global policy's security keys (the trusted root stays). */
  policy(security: string): Promise<void>;
  /** Publishes NAME@VERSION to the world's registry, signed by `signer` (an email), or unsigned. */
  publish(name: string, version: string, signer: string | undefined): Promise<void>;
}

export async function signedWorld(sigstore: LocalSigstore, security = ''): Promise<SignedWorld> {
  const w = await makeWorld();
  const rootPath = join(w.root, 'trusted_root.json');
  await writeFile(rootPath, JSON.stringify(sigstore.trustedRoot()));
  const policy = (text: string) => w.writeGlobalConfig(`sigstore_trusted_root: ${rootPath}\n${text}`);
  await policy(security);
  return Object.assign(w, {
    rootPath,
    policy,
    async publish(name: string, version: string, signer: string | undefined) {
      const { verifier } = await w.services();
      await publishPackage({
        packageDir: await w.makePackage(name, version),
        registry: w.registry,
        signing:
          signer === undefined
            ? undefined
            : {
                method: 'sigstore',
                endpoints: { fulcio: sigstore.url, rekor: sigstore.url, tsa: undefined },
                identityProvider: staticToken(sigstore.mintToken(signer)),
              },
        verifier,
      });
    },
  });
}
