import { aamHome } from '../aam-home.ts';
import type { LoadedConfig } from '../config/load.ts';
import { EvidenceCache } from './evidence/evidence-cache.ts';
import { createSignatureVerifier } from '../signature/verifier.ts';
import type { SignatureVerifier } from '../signature/verifier.ts';

/** What verifying needs besides the policy: the verifier (trust root, keyrings) and the evidence cache. */
export interface VerificationServices {
  verifier: SignatureVerifier;
  cache: EvidenceCache;
}

/**
 * The one place a verifier is assembled for a loaded policy: the CLI and the
 * extension both call this, so they verify with the same trust material.
 */
export function verificationServices(
  config: LoadedConfig,
  homeDir: string,
  env: Record<string, string | undefined> = process.env,
): VerificationServices {
  return { verifier: createSignatureVerifier(config, homeDir, env), cache: evidenceCache(homeDir) };
}

/** The evidence captured at install time (~/.aam/cache), for what reads it without verifying. */
export function evidenceCache(homeDir: string): EvidenceCache {
  return new EvidenceCache(aamHome(homeDir).cacheDir);
}
