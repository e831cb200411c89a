import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAamError } from '../../../../src/core/errors.ts';
import { HttpRegistry } from '../../../../src/core/registry/http-registry.ts';
import { cosignVersion } from '../../../../src/core/workflows/cosign.ts';
import type { Signing } from '../../../../src/core/workflows/signing.ts';

/**
 * A co-signature the registry will not take (no token for it) is refused before anything is
 * signed: a Sigstore signature means a sign-in and a public transparency-log entry.
 */
describe('co-signing on an HTTP registry without a token', () => {
  it('is refused before the registry is asked anything and before any sign-in', async () => {
    const signIns: string[] = [];
    const signing: Signing = {
      method: 'sigstore',
      endpoints: { fulcio: 'http://127.0.0.1:9', rekor: 'http://127.0.0.1:9' } as never,
      identityProvider: { getToken: async () => (signIns.push('asked'), 'e30.e30.x') },
    };
    // Port 9 (discard) answers nothing: a request there would fail as REGISTRY_ERROR, not REGISTRY_AUTH.
    const registry = new HttpRegistry('team', 'http://127.0.0.1:9', { token: async () => undefined, attempts: 1 });
    await assert.rejects(
      cosignVersion({ registry, name: '@acme/tool', version: '1.0.0', signing: [signing], verifier: {} as never }),
      (e) =>
        isAamError(e, 'REGISTRY_AUTH') &&
        /Adding a signature to @acme\/tool@1\.0\.0 on registry "team"/.test(e.message),
    );
    assert.deepEqual(signIns, []);
  });
});
