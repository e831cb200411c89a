import type { LoadedConfig } from '../src/core/config/load.ts';
import { workspacePaths } from '../src/core/lockfile/lockfile.ts';
import type { LocalRegistry } from '../src/core/registry/local-registry.ts';
import type { SignatureVerifier } from '../src/core/signature/verifier.ts';
import type { EvidenceCache } from '../src/core/verify/evidence/evidence-cache.ts';
import { installPackages } from '../src/core/workflows/install/install.ts';
import { publishPackage } from '../src/core/workflows/publish.ts';
import type { Signing } from '../src/core/workflows/publish.ts';

/** What the demo shows for organizations, beside the packages of world.ts. */
export const UNVERIFIED_PACKAGE = {
  name: '@community/hotfix',
  description: 'A hotfix someone installed in a hurry with --no-verify',
  expect: 'installed without verification',
};

/**
 * The seeds' escape hatch, made visible: a package installed with
 * `aam-trust install --no-verify`. It is signed by a trusted signer, yet the
 * Verification view says "installed without verification" (a warning under
 * the demo's Moderate policy, a failure under Strict) until it is accepted.
 */
export async function installWithoutVerification(options: {
  packageDir: string;
  registry: LocalRegistry;
  signing: Signing | undefined;
  workspace: string;
  config: LoadedConfig;
  verifier: SignatureVerifier;
  cache: EvidenceCache;
  homeDir: string;
}): Promise<void> {
  await publishPackage({
    packageDir: options.packageDir,
    registry: options.registry,
    signing: options.signing,
    verifier: options.verifier,
  });
  await installPackages([UNVERIFIED_PACKAGE.name], {
    workspace: workspacePaths(options.workspace),
    config: options.config,
    registry: options.registry,
    verifier: options.verifier,
    cache: options.cache,
    homeDir: options.homeDir,
    noVerify: true,
  });
}
