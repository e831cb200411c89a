import { after, before } from 'node:test';
import { LocalSigstore } from '../../dev/local-sigstore/instance.ts';
import { fromText } from '../../src/core/sigstore/trusted-root.ts';
import type { TrustRootSource } from '../../src/core/sigstore/trusted-root.ts';
import type { SigningEndpoints } from '../../src/core/sigstore/endpoints.ts';

/** Starts a local Sigstore instance for the enclosing suite and stops it afterwards. */
export function useLocalSigstore(): {
  instance: () => LocalSigstore;
  root: () => TrustRootSource;
  endpoints: (tsa?: boolean) => SigningEndpoints;
} {
  let instance: LocalSigstore | undefined;
  let root: TrustRootSource | undefined;
  before(async () => {
    instance = await LocalSigstore.start();
    root = fromText(JSON.stringify(instance.trustedRoot()), 'local test instance');
  });
  after(async () => instance?.close());
  return {
    instance: () => instance!,
    root: () => root!,
    endpoints: (tsa = false) => ({
      fulcio: instance!.url,
      rekor: instance!.url,
      tsa: tsa ? `${instance!.url}/api/v1/timestamp` : undefined,
    }),
  };
}
