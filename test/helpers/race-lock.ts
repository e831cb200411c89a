// The race of a lock file rewritten while a workflow verifies (a checkout, the Python `aam install`,
// any other process), made deterministic: a verifier that rewrites the lock file once, during the
// first signature check, so that `hello` then names 0.9.0, signed by the untrusted mallory.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { sha256 } from '../../src/core/archive/hash.ts';
import type { Platform } from '../../src/core/model/platform.ts';
import type { SignedWorld } from './signed-world.ts';

export const TRUSTS_ALICE = 'trusted_identities: ["alice@example.com"]';

/** hello@1.0.0 by alice, installed; hello@0.9.0 by mallory, only published. */
export async function installAliceOverMallory(w: SignedWorld, platforms: Platform[]) {
  await w.publish('hello', '1.0.0', 'alice@example.com');
  await w.publish('hello', '0.9.0', 'mallory@evil.example');
  const services = await w.services();
  await installPackages(['hello@1.0.0'], { ...services, registry: w.registry, platforms, homeDir: w.home });
  const lockPath = join(w.project, '.aam', 'aam-lock.yaml');
  const lockText = await readFile(lockPath, 'utf8');
  const verified = sha256(await w.registry.readArchive('hello', '1.0.0'));
  const mallorys = sha256(await w.registry.readArchive('hello', '0.9.0'));
  const swapped = lockText.replace(/version: ['"]?1\.0\.0['"]?/, 'version: 0.9.0').replace(verified, mallorys);
  assert.notEqual(swapped, lockText);
  assert.ok(swapped.includes(mallorys));
  return { services, lockPath, swapped, verified, mallorys };
}

type Verifier = Awaited<ReturnType<SignedWorld['services']>>['verifier'];

/**
 * `verifier`, rewriting the lock file at `lockPath` to `swapped` during its first check; `sawInstallLock`
 * then tells whether the project's install lock was held at that moment.
 */
export function swappingVerifier(verifier: Verifier, lockPath: string, swapped: string) {
  const seen = { swapped: false, sawInstallLock: false };
  const wrapped: Verifier = {
    ...verifier,
    verify: async (...args: Parameters<Verifier['verify']>) => {
      const result = await verifier.verify(...args);
      if (!seen.swapped) {
        seen.swapped = true;
        seen.sawInstallLock = await stat(join(lockPath, '..', '.install.lock')).then(
          () => true,
          () => false,
        );
        await writeFile(lockPath, swapped);
      }
      return result;
    },
  };
  return { verifier: wrapped, seen };
}
