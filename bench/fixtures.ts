import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/core/config/load.ts';
import type { LoadedConfig } from '../src/core/config/load.ts';
import { installPackages } from '../src/core/workflows/install/install.ts';
import { workspacePaths } from '../src/core/lockfile/lockfile.ts';
import type { WorkspacePaths } from '../src/core/lockfile/lockfile.ts';
import { findSecretKey, runGpg } from '../src/core/openpgp/gnupg.ts';
import { signingKeySource } from '../src/core/openpgp/sign.ts';
import { publishPackage } from '../src/core/workflows/publish.ts';
import type { Signing } from '../src/core/workflows/publish.ts';
import { LocalRegistry } from '../src/core/registry/local-registry.ts';
import { staticToken } from '../src/core/sigstore/identity/providers.ts';
import { EvidenceCache } from '../src/core/verify/evidence/evidence-cache.ts';
import { createSignatureVerifier } from '../src/core/signature/verifier.ts';
import type { LocalSigstore } from '../dev/local-sigstore/instance.ts';

/** A benchmark world: N installed packages of ~64 KiB, all signed one way. */
export interface BenchWorld {
  root: string;
  home: string;
  project: string;
  registry: LocalRegistry;
  workspace: WorkspacePaths;
  config: LoadedConfig;
  cache: EvidenceCache;
  gnupgHome: string;
  names: string[];
}

export async function buildBenchWorld(
  root: string,
  options: { count: number; method: 'sigstore' | 'gpg'; sigstore: LocalSigstore; concurrency?: number },
): Promise<BenchWorld> {
  await rm(root, { recursive: true, force: true });
  const home = join(root, 'home');
  const project = join(root, 'project');
  const gnupgHome = join(home, '.gnupg');
  await mkdir(join(home, '.aam'), { recursive: true });
  await mkdir(gnupgHome, { recursive: true, mode: 0o700 });
  await mkdir(join(project, '.aam'), { recursive: true });
  const rootPath = join(home, '.aam', 'trusted_root.json');
  await writeFile(rootPath, JSON.stringify(options.sigstore.trustedRoot()));
  let keyLine = '';
  if (options.method === 'gpg') {
    const made = await runGpg(
      [
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        '--quick-gen-key',
        'Bench <bench@example.com>',
        'ed25519',
        'sign',
        'never',
      ],
      { gpgHome: gnupgHome },
    );
    if (made.code !== 0) throw new Error(made.stderr);
    keyLine = `\n  trusted_keys: [${(await findSecretKey(gnupgHome, 'bench@example.com')).fingerprint}]\n  gpg_home: ${gnupgHome}`;
  }
  const registry = await LocalRegistry.create(join(root, 'registry'), { name: 'bench' });
  await writeFile(
    join(home, '.aam', 'config.yaml'),
    `registries:\n  - name: bench\n    url: ${pathToFileURL(registry.root).href}\n    type: local\nsecurity:\n  sigstore_trusted_root: ${rootPath}\n  trusted_identities: ["*@example.com"]${keyLine}\n`,
  );
  const config = await loadConfig({ homeDir: home, projectDir: project, env: {} });
  const verifier = createSignatureVerifier(config, home, {});
  const endpoints = { fulcio: options.sigstore.url, rekor: options.sigstore.url, tsa: undefined };
  const names = Array.from({ length: options.count }, (_, i) => `@bench/pkg-${String(i).padStart(5, '0')}`);
  const publishOne = async (name: string) => {
    const dir = join(root, 'sources', name.replace('@', '').replace('/', '--'));
    await mkdir(join(dir, 'prompts'), { recursive: true });
    await writeFile(
      join(dir, 'aam.yaml'),
      `name: "${name}"\nversion: 1.0.0\ndescription: "Benchmark package"\nartifacts:\n  prompts:\n    - name: main\n      path: prompts/main.md\n      description: "64 KiB of content"\n`,
    );
    // Incompressible content, so the archive itself is about 64 KiB.
    await writeFile(join(dir, 'prompts', 'main.md'), randomBytes(64 * 1024));
    const signing: Signing =
      options.method === 'sigstore'
        ? {
            method: 'sigstore',
            endpoints,
            identityProvider: staticToken(options.sigstore.mintToken('bench@example.com')),
          }
        : { method: 'gpg', keySource: signingKeySource('bench@example.com', gnupgHome), prompt: async () => '' };
    await publishPackage({ packageDir: dir, registry, signing, verifier });
  };
  const queue = [...names];
  await Promise.all(
    Array.from({ length: options.concurrency ?? 8 }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) await publishOne(name);
    }),
  );
  const workspace = workspacePaths(project);
  const cache = new EvidenceCache(join(home, '.aam', 'cache'));
  await installPackages(names, { workspace, config, registry, verifier, cache });
  return { root, home, project, registry, workspace, config, cache, gnupgHome, names };
}
