import type { LocalSigstore } from '../dev/local-sigstore/instance.ts';
import type { LocalRegistry } from '../src/core/registry/local-registry.ts';
import type { SignatureVerifier } from '../src/core/signature/verifier.ts';
import type { SigningEndpoints } from '../src/core/sigstore/endpoints.ts';
import { staticToken } from '../src/core/sigstore/identity/providers.ts';
import { cosignVersion } from '../src/core/workflows/cosign.ts';
import { delegateSigning } from '../src/core/workflows/delegate.ts';
import { publishPackage } from '../src/core/workflows/publish.ts';
import type { Signing } from '../src/core/workflows/publish.ts';

/** Packages with several signers: co-signed by a second person, or signed by a delegate. */
export const SIGNERS_PACKAGES: { name: string; description: string; expect: string }[] = [
  {
    name: '@demo/team-prompts',
    description: 'Shared team prompts: signed by Alice, co-signed with the release key (two signers required)',
    expect: 'verified',
  },
  {
    name: '@partner/lint-pack',
    description: "A partner's lint pack, signed by bob@partner.example through Alice's delegation for @partner/*",
    expect: 'verified',
  },
];

/**
 * Several signers: Alice publishes the team's prompts and the release key
 * co-signs the published version (as a second person would, with
 * aam-trust sign); Alice delegates @partner/* to bob@partner.example for a
 * year, and Bob publishes a package there.
 */
export async function publishSigners(
  registry: LocalRegistry,
  sources: string,
  writePackage: (parent: string, name: string, version: string, description: string) => Promise<string>,
  with_: {
    alice: Signing;
    release: Signing;
    endpoints: SigningEndpoints;
    sigstore: LocalSigstore;
    verifier: SignatureVerifier;
  },
): Promise<void> {
  const [team, partner] = SIGNERS_PACKAGES;
  await publishPackage({
    packageDir: await writePackage(sources, team!.name, '1.0.0', team!.description),
    registry,
    signing: with_.alice,
    verifier: with_.verifier,
  });
  await cosignVersion({
    registry,
    name: team!.name,
    version: '1.0.0',
    signing: [with_.release],
    verifier: with_.verifier,
  });
  await delegateSigning({
    registry,
    pattern: '@partner/*',
    delegate: { identity: 'bob@partner.example' },
    until: new Date(Date.now() + 365 * 86_400_000),
    maxDepth: 0,
    signing: with_.alice,
    verifier: with_.verifier,
  });
  await publishPackage({
    packageDir: await writePackage(sources, partner!.name, '1.0.0', partner!.description),
    registry,
    signing: {
      method: 'sigstore',
      endpoints: with_.endpoints,
      identityProvider: staticToken(with_.sigstore.mintToken('bob@partner.example')),
    },
    verifier: with_.verifier,
  });
}
