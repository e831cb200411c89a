import { createHash, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/**
 * The key id clients pin for a registry: SHA-256 of the DER
 * SubjectPublicKeyInfo, hex. It lives on the lowest floor because the trust
 * record, below the registry code, must bind each recorded key to its id.
 */
export function keyIdOf(key: KeyObject | string): string {
  const object = typeof key === 'string' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(object.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** Whether `publicKey` is a public key (PEM) whose id is `keyId`; a text that is no key is not. */
export function isKeyOf(publicKey: string, keyId: string): boolean {
  try {
    return keyIdOf(publicKey) === keyId;
  } catch {
    return false;
  }
}
