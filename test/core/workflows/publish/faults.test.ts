import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAamError } from '../../../../src/core/errors.ts';
import { publishPackage } from '../../../../src/core/workflows/publish.ts';
import { staticToken } from '../../../../src/core/sigstore/identity/providers.ts';
import { signInWithBrowser } from '../../../../src/core/sigstore/identity/oauth-flow.ts';
import type { Fault } from '../../../../dev/local-sigstore/http.ts';
import type { Service } from '../../../../dev/local-sigstore/instance.ts';
import { useLocalSigstore } from '../../../helpers/sigstore.ts';
import { makeWorld } from '../../../helpers/workspace.ts';

const RETRY = { retries: 2, factor: 2, minTimeout: 20, maxTimeout: 80 };
const NAMES: Record<string, RegExp> = { fulcio: /Fulcio/, rekor: /Rekor/, tsa: /time ?stamp|TSA/i };

describe('network faults while publishing signed', () => {
  const local = useLocalSigstore();
  let counter = 0;

  const attempt = async (service: Service, fault: Fault, count = Infinity) => {
    const w = await makeWorld();
    const instance = local.instance();
    const rootPath = join(w.root, 'trusted_root.json');
    await writeFile(rootPath, JSON.stringify(instance.trustedRoot()));
    await w.writeGlobalConfig(`sigstore_trusted_root: ${rootPath}`);
    const { verifier } = await w.services();
    const packageDir = await w.makePackage(`@faults/p${counter++}`, '1.0.0');
    const token = instance.mintToken('alice@example.com');
    instance.clearFaults();
    instance.setFault(service, fault, count);
    const before = instance.requests.length;
    const settled = await publishPackage({
      packageDir,
      registry: w.registry,
      verifier,
      signing: {
        method: 'sigstore',
        endpoints: local.endpoints(service === 'tsa'),
        identityProvider: staticToken(token),
        retry: RETRY,
        // Only a hang needs a short timeout to end; the services before it must still answer within it
        // on a busy machine (400 ms was too little at load 10). Other faults do not wait on it.
        timeoutMs: fault.kind === 'hang' ? 1500 : 10_000,
      },
    }).then(
      (outcome) => ({ outcome, error: undefined as unknown }),
      (error: unknown) => ({ outcome: undefined, error }),
    );
    instance.clearFaults();
    const calls = instance.requests.slice(before).filter((r) => r.service === service).length;
    const published = await readdir(join(w.registryDir, 'packages')).catch(() => [] as string[]);
    return { ...settled, calls, published };
  };

  const permanent: [string, Fault][] = [
    ['503 Service Unavailable', { kind: 'status', status: 503 }],
    ['a malformed response', { kind: 'malformed' }],
    ['a connection reset', { kind: 'reset' }],
    ['no answer (timeout)', { kind: 'hang' }],
  ];
  for (const service of ['fulcio', 'rekor', 'tsa'] as const) {
    for (const [what, fault] of permanent) {
      it(`${service}: ${what} fails with an error naming the service, after bounded retries, and publishes nothing`, async () => {
        const { error, calls, published } = await attempt(service, fault);
        assert.ok(isAamError(error, 'SIGSTORE_SERVICE'), String(error));
        assert.match((error as Error).message, NAMES[service]!);
        assert.match((error as { hint?: string }).hint ?? '', /Nothing was published/);
        assert.ok(calls >= 1 && calls <= 1 + RETRY.retries, `${calls} calls to ${service}`);
        assert.deepEqual(published, []);
      });
    }
  }

  it('retries a transient 503 and waits out a slow answer, then publishes', async () => {
    for (const service of ['fulcio', 'rekor'] as const) {
      const transient = await attempt(service, { kind: 'status', status: 503 }, 1);
      assert.equal(transient.error, undefined, String(transient.error));
      assert.equal(transient.calls, 2, `${service}: one failed call, one retry`);
      assert.equal(transient.published.length, 1);
      const slow = await attempt(service, { kind: 'slow', delayMs: 150 }, 1);
      assert.equal(slow.error, undefined, String(slow.error));
      assert.equal(slow.published.length, 1);
    }
  });

  it('a failing OIDC issuer fails sign-in with a clear error that carries no token', async () => {
    const instance = local.instance();
    for (const fault of [{ kind: 'status', status: 500 }, { kind: 'malformed' }] as Fault[]) {
      instance.clearFaults();
      instance.setFault('oidc', fault);
      const error = await signInWithBrowser({
        issuer: `${instance.url}/oidc`,
        openUrl: async (url) => void fetch(url).catch(() => undefined),
        timeoutMs: 3000,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      instance.clearFaults();
      assert.ok(error instanceof Error, 'sign-in must fail');
      assert.match(error.message, /issuer|sign-in|OIDC|identity|discovery/i);
      assert.doesNotMatch(error.message, /eyJ[\w-]+\.[\w-]+\./, 'no token in the message');
    }
  });
});

describe('publishing what the registry will refuse', () => {
  const local = useLocalSigstore();

  it('refuses a version already published before signing: nothing reaches the Sigstore services, no token is asked for', async () => {
    const w = await makeWorld();
    const instance = local.instance();
    const rootPath = join(w.root, 'trusted_root.json');
    await writeFile(rootPath, JSON.stringify(instance.trustedRoot()));
    await w.writeGlobalConfig(`sigstore_trusted_root: ${rootPath}`);
    const { verifier } = await w.services();
    const packageDir = await w.makePackage('@faults/twice', '1.0.0');
    let tokensAsked = 0;
    const identityProvider = { getToken: async () => (tokensAsked++, instance.mintToken('alice@example.com')) };
    await publishPackage({
      packageDir,
      registry: w.registry,
      verifier,
      signing: { method: 'sigstore', endpoints: local.endpoints(), identityProvider },
    });
    assert.equal(tokensAsked, 1);
    const before = instance.requests.length;
    const steps: string[] = [];
    await assert.rejects(
      publishPackage({
        packageDir,
        registry: w.registry,
        verifier,
        signing: { method: 'sigstore', endpoints: local.endpoints(), identityProvider },
        onStep: (step) => steps.push(step),
      }),
      (error: unknown) => isAamError(error, 'VERSION_EXISTS'),
    );
    assert.equal(tokensAsked, 1);
    assert.equal(instance.requests.length, before);
    assert.deepEqual(steps, ['pack']);
  });
});
