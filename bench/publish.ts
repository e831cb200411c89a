/**
 * Publish-signed of a 10 MB package through the local Sigstore instance,
 * after sign-in: the identity token is minted before the clock starts, as a
 * signed-in session holds one. Pack, checksum, Fulcio certificate, signature,
 * Rekor entry, registry write. Run as its own process: node bench/publish.ts RUNS
 */
import { randomLines } from './fixtures.ts';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishPackage } from '../src/core/workflows/publish.ts';
import { LocalRegistry } from '../src/core/registry/local-registry.ts';
import { staticToken } from '../src/core/sigstore/identity/providers.ts';
import { verifierFromSettings } from '../src/core/signature/verifier.ts';
import { LocalSigstore } from '../dev/local-sigstore/instance.ts';

const runs = Number(process.argv[2] ?? 3);
const sigstore = await LocalSigstore.start();
const root = await mkdtemp(join(tmpdir(), 'aam-bench-publish-'));
try {
  const rootPath = join(root, 'trusted_root.json');
  await writeFile(rootPath, JSON.stringify(sigstore.trustedRoot()));
  const registry = await LocalRegistry.create(join(root, 'registry'));
  const verifier = verifierFromSettings({
    rootPath,
    requireTlog: true,
    keysDir: join(root, 'keys'),
    gpgHome: undefined,
  });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = join(root, `pkg${i}`);
    await mkdir(join(dir, 'prompts'), { recursive: true });
    await writeFile(
      join(dir, 'aam.yaml'),
      `name: "@bench/big-${i}"\nversion: 1.0.0\ndescription: "10 MB"\nartifacts:\n  prompts:\n    - name: main\n      path: prompts/main.md\n      description: "10 MB of content"\n`,
    );
    // Text, as agents read a prompt (random bytes there are binary data, which publish refuses as hidden content).
    await writeFile(join(dir, 'prompts', 'main.md'), randomLines(10 * 1024 * 1024));
    const token = sigstore.mintToken('bench@example.com');
    const started = performance.now();
    await publishPackage({
      packageDir: dir,
      registry,
      verifier,
      signing: {
        method: 'sigstore',
        endpoints: { fulcio: sigstore.url, rekor: sigstore.url, tsa: undefined },
        identityProvider: staticToken(token),
      },
    });
    times.push(performance.now() - started);
  }
  process.stdout.write(`${JSON.stringify({ times })}\n`);
} finally {
  await sigstore.close();
  await rm(root, { recursive: true, force: true });
}
