import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { messageOf } from '../../../../src/core/errors.ts';
import { publishPackage } from '../../../../src/core/workflows/publish.ts';
import { staticToken } from '../../../../src/core/sigstore/identity/providers.ts';
import { importPublicKey } from '../../../../src/core/openpgp/keyring.ts';
import { useLocalSigstore } from '../../../helpers/sigstore.ts';
import { makeWorld } from '../../../helpers/workspace.ts';

/** Every file under `dir`, as text. */
async function everyFile(dir: string): Promise<{ path: string; text: string }[]> {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path, text: (await readFile(path)).toString('latin1') });
  }
  return out;
}

describe('secrets never leave their place', () => {
  const local = useLocalSigstore();

  it('the identity token, the passphrase and the private key appear in no transcript, error or file written', async () => {
    const w = await makeWorld();
    const instance = local.instance();
    const rootPath = join(w.root, 'trusted_root.json');
    await writeFile(rootPath, JSON.stringify(instance.trustedRoot()));
    await w.writeGlobalConfig(`sigstore_trusted_root: ${rootPath}`);
    const { verifier } = await w.services();
    const passphrase = 'correct horse battery staple 7f3a';
    const { privateKey, publicKey } = await generateKey({
      type: 'curve25519',
      userIDs: [{ email: 'sec@example.com' }],
      passphrase,
      format: 'armored',
    });
    const keyFile = join(w.root, 'secret-key.asc');
    await writeFile(keyFile, privateKey);
    await importPublicKey(publicKey, join(w.home, '.aam', 'keys'));
    const token = instance.mintToken('alice@example.com');
    const transcript: string[] = [];
    const errors: string[] = [];
    const onLine = (line: string) => transcript.push(line);

    await publishPackage({
      packageDir: await w.makePackage('@sec/one', '1.0.0'),
      registry: w.registry,
      verifier,
      onLine,
      signing: { method: 'sigstore', endpoints: local.endpoints(), identityProvider: staticToken(token) },
    });
    await publishPackage({
      packageDir: await w.makePackage('@sec/two', '1.0.0'),
      registry: w.registry,
      verifier,
      onLine,
      signing: { method: 'gpg', keySource: { kind: 'file', path: keyFile }, prompt: async () => passphrase },
    });
    // Failures: a wrong passphrase, a token Fulcio refuses, a service that is down.
    const dirs = [
      await w.makePackage('@sec/three', '1.0.0'),
      await w.makePackage('@sec/four', '1.0.0'),
      await w.makePackage('@sec/five', '1.0.0'),
    ];
    const failures: [RegExp, () => Promise<unknown>][] = [
      [
        /passphrase/i,
        () =>
          publishPackage({
            packageDir: dirs[0]!,
            registry: w.registry,
            verifier,
            onLine,
            signing: {
              method: 'gpg',
              keySource: { kind: 'file', path: keyFile },
              prompt: async () => `${passphrase}x`,
            },
          }),
      ],
      [
        /token|Fulcio/i,
        () =>
          publishPackage({
            packageDir: dirs[1]!,
            registry: w.registry,
            verifier,
            onLine,
            signing: {
              method: 'sigstore',
              endpoints: local.endpoints(),
              identityProvider: staticToken(`${token.slice(0, -4)}AAAA`),
            },
          }),
      ],
      [
        /Rekor/,
        () => {
          instance.setFault('rekor', { kind: 'status', status: 500 });
          return publishPackage({
            packageDir: dirs[2]!,
            registry: w.registry,
            verifier,
            onLine,
            signing: {
              method: 'sigstore',
              endpoints: local.endpoints(),
              identityProvider: staticToken(token),
              retry: { retries: 0, factor: 1, minTimeout: 1, maxTimeout: 1 },
            },
          });
        },
      ],
    ];
    for (const [expected, run] of failures) {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      instance.clearFaults();
      assert.ok(error instanceof Error, 'the failure case must fail');
      assert.match(error.message, expected);
      errors.push(
        `${messageOf(error)} ${(error as { hint?: string }).hint ?? ''} ${error.stack ?? ''} ${JSON.stringify(error)}`,
      );
    }

    const secrets = {
      token,
      tokenSignature: token.split('.')[2]!,
      passphrase,
      privateKey: privateKey.split('\n').find((l) => l.length > 60)!,
    };
    const places = [
      { where: 'transcript', text: transcript.join('\n') },
      { where: 'errors', text: errors.join('\n') },
      ...(await everyFile(w.registryDir)).map((f) => ({ where: f.path, text: f.text })),
      ...(await everyFile(join(w.home, '.aam'))).map((f) => ({ where: f.path, text: f.text })),
      ...(await everyFile(w.project)).map((f) => ({ where: f.path, text: f.text })),
    ];
    assert.ok(
      transcript.some((l) => /Published|signed/i.test(l)),
      'the transcript was captured',
    );
    for (const { where, text } of places) {
      for (const [name, secret] of Object.entries(secrets))
        assert.ok(!text.includes(secret), `${name} found in ${where}`);
    }
  });
});
