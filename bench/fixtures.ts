import { randomBytes } from 'node:crypto';
import { random } from '../test/helpers/bundle-mutations.ts';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/core/config/load.ts';
import { installPackages } from '../src/core/workflows/install/install.ts';
import { workspacePaths } from '../src/core/lockfile/lockfile.ts';
import { findSecretKey, runGpg } from '../src/core/openpgp/gnupg.ts';
import { signingKeySource } from '../src/core/openpgp/sign.ts';
import { publishPackage } from '../src/core/workflows/publish.ts';
import type { Signing } from '../src/core/workflows/publish.ts';
import { LocalRegistry } from '../src/core/registry/local-registry.ts';
import { toFsName } from '../src/core/model/names.ts';
import { parseYamlMapping, toYamlText } from '../src/core/yaml/io.ts';
import { staticToken } from '../src/core/sigstore/identity/providers.ts';
import { verificationServices } from '../src/core/verify/services.ts';
import type { LocalSigstore } from '../dev/local-sigstore/instance.ts';

/** What run.ts keeps about a built world (its ready.json): the packages, and which of them collide on purpose. */
export interface WorldInfo {
  packages: number;
  method: 'sigstore' | 'gpg';
  names: string[];
  /** Pairs of packages whose artifacts share a name, so both deploy to the same path (aam overwrites: the second wins). */
  collisions: [string, string][];
}

/** Packages installed per call: one install holds every archive in memory, and a 10,000-package world is 640 MB. */
const INSTALL_CHUNK = 500;
/**
 * Packages published per shard: a local registry reads and rewrites its whole
 * index.yaml on every publish, so filling one with 10,000 packages takes hours.
 * Shards are filled side by side and merged into the world's registry once.
 */
const SHARD = 500;

export const packageName = (i: number) => `@bench/pkg-${String(i).padStart(5, '0')}`;

/**
 * Three pairs of packages, spread through the list, whose artifacts deploy to
 * the same path: a real project has a few such clashes, and verification has
 * to say so whether it checks all packages or one. None below 8 packages.
 */
export function collisionsOf(count: number): [number, number][] {
  if (count < 8) return [];
  const step = Math.floor(count / 4);
  return [1, 2, 3].map((k) => [k * step, k * step + 1]);
}

/**
 * A benchmark world: `count` installed packages of ~64 KiB, all signed one
 * way, each deploying a prompt named after itself (`.cursor/prompts/pkg-NNNNN.md`)
 * except the collision pairs, which share one (`shared-K`).
 */
export async function buildBenchWorld(
  root: string,
  options: {
    count: number;
    method: 'sigstore' | 'gpg';
    sigstore: LocalSigstore;
    concurrency?: number;
    /** Packages (by index) whose prompt is this text rather than random text, published even if it hides content. */
    texts?: Record<number, string>;
    /**
     * What the other prompts hold: 64 KiB of random printable text in short lines (the default: an
     * archive nearly as large as its files, and nothing for the hidden-content scan past its one
     * pass over plain ASCII) or 64 KiB of Markdown, as a real prompt is (scanned in full; its
     * archive is a few times smaller).
     */
    content?: 'random' | 'text';
  },
): Promise<WorldInfo> {
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
  const services = verificationServices(config, home, {});
  const endpoints = { fulcio: options.sigstore.url, rekor: options.sigstore.url, tsa: undefined };
  const names = Array.from({ length: options.count }, (_, i) => packageName(i));
  const artifact = new Map(names.map((name) => [name, name.slice('@bench/'.length)]));
  const pairs = collisionsOf(options.count);
  pairs.forEach(([a, b], k) => {
    artifact.set(names[a]!, `shared-${k + 1}`);
    artifact.set(names[b]!, `shared-${k + 1}`);
  });
  const sources = join(root, 'sources');
  const shards = await Promise.all(
    Array.from({ length: Math.ceil(names.length / SHARD) }, (_, k) =>
      LocalRegistry.create(join(root, 'shards', String(k)), { name: 'bench' }),
    ),
  );
  const shardOf = new Map(names.map((name, i) => [name, shards[Math.floor(i / SHARD)]!]));
  const publishOne = async (name: string) => {
    const dir = join(sources, name.replace('@', '').replace('/', '--'));
    const prompt = artifact.get(name)!;
    await mkdir(join(dir, 'prompts'), { recursive: true });
    await writeFile(
      join(dir, 'aam.yaml'),
      `name: "${name}"\nversion: 1.0.0\ndescription: "Benchmark package"\nartifacts:\n  prompts:\n    - name: ${prompt}\n      path: prompts/${prompt}.md\n      description: "64 KiB of content"\n`,
    );
    // Mostly incompressible content, so the archive itself is about 50 KiB. Text: agents read a prompt as
    // text, and random bytes there are binary data, which the hidden-content scan reports.
    const index = names.indexOf(name);
    const text = options.texts?.[index] ?? (options.content === 'text' ? promptText(index, 64 * 1024) : undefined);
    await writeFile(join(dir, 'prompts', `${prompt}.md`), text ?? randomLines(64 * 1024));
    const signing: Signing =
      options.method === 'sigstore'
        ? {
            method: 'sigstore',
            endpoints,
            identityProvider: staticToken(options.sigstore.mintToken('bench@example.com')),
          }
        : { method: 'gpg', keySource: signingKeySource('bench@example.com', gnupgHome), prompt: async () => '' };
    await publishPackage({
      packageDir: dir,
      registry: shardOf.get(name)!,
      signing,
      verifier: services.verifier,
      ...(options.texts?.[index] === undefined ? {} : { hiddenContent: 'ignore' as const }),
    });
  };
  const queue = [...names];
  await Promise.all(
    Array.from({ length: options.concurrency ?? 8 }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) await publishOne(name);
    }),
  );
  // The registry holds the archives: the sources are a second copy of every package, read by nothing.
  await rm(sources, { recursive: true, force: true });
  await mergeShards(shards, registry);
  const workspace = workspacePaths(project);
  for (let i = 0; i < names.length; i += INSTALL_CHUNK)
    await installPackages(names.slice(i, i + INSTALL_CHUNK), {
      workspace,
      config,
      registry,
      homeDir: home,
      ...services,
    });
  return {
    packages: options.count,
    method: options.method,
    names,
    collisions: pairs.map(([a, b]) => [names[a]!, names[b]!]),
  };
}

const WORDS = (
  'agent review the change before you commit keep each function small and name it for what it does; ' +
  'run tests lint format build deploy check verify sign publish install lock file trust policy signer ' +
  'registry archive checksum identity issuer key signature package version dependency café naïve résumé ' +
  'über façade coördinate jalapeño déjà vu — “quoted” ‘single’ … § ¶ ± × ÷ → ← ✓ 42 3.14 2026-12-04'
).split(' ');

/**
 * Markdown as an agent's prompt reads (headings, lists, emphasis, links, code, some Latin letters
 * with accents and typographic punctuation; nothing the hidden-content scan reports), `size` bytes
 * of it, different for every package: a generator seeded with `index`.
 */
export function promptText(index: number, size: number): string {
  const next = random(index);
  const word = () => WORDS[Math.floor(next() * WORDS.length)]!;
  const sentence = () => {
    const words = Array.from({ length: 6 + Math.floor(next() * 14) }, word);
    const first = words[0]!;
    words[0] = first[0]!.toUpperCase() + first.slice(1);
    if (next() < 0.2) words[1] = `**${words[1]}**`;
    if (next() < 0.15) words[2] = `\`${words[2]}\``;
    if (next() < 0.1) words[3] = `[${words[3]}](https://example.com/docs/${words[3]!.length})`;
    return `${words.join(' ')}.`;
  };
  const parts = [`# Prompt ${index}\n`];
  let length = parts[0]!.length;
  while (length < size) {
    const r = next();
    const part =
      r < 0.08
        ? `\n## ${sentence()}\n`
        : r < 0.3
          ? `\n${Array.from({ length: 2 + Math.floor(next() * 4) }, () => `- ${sentence()}`).join('\n')}\n`
          : r < 0.35
            ? `\n\`\`\`sh\naam-trust verify ${word()} --json\n\`\`\`\n`
            : `\n${Array.from({ length: 2 + Math.floor(next() * 4) }, sentence).join(' ')}\n`;
    parts.push(part);
    length += Buffer.byteLength(part);
  }
  return Buffer.from(parts.join(''))
    .subarray(0, size)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

/** Moves every shard's packages into `registry`, and writes its index once, as its publishes would have left it. */
async function mergeShards(shards: LocalRegistry[], registry: LocalRegistry): Promise<void> {
  const index: Record<string, unknown>[] = [];
  for (const shard of shards) {
    for (const dir of await readdir(join(shard.root, 'packages')))
      await rename(join(shard.root, 'packages', dir), join(registry.root, 'packages', dir));
    const text = await readFile(join(shard.root, 'index.yaml'), 'utf8');
    index.push(...(parseYamlMapping(text, 'index.yaml', 'REGISTRY_INVALID').packages as Record<string, unknown>[]));
  }
  index.sort((a, b) => toFsName(String(a.name)).localeCompare(toFsName(String(b.name))));
  await writeFile(join(registry.root, 'index.yaml'), toYamlText({ packages: index }));
  await rm(join(registry.root, '..', 'shards'), { recursive: true, force: true });
}

/** `size` bytes of random base64 in lines of 76 characters: printable ASCII, about 3/4 incompressible. */
export function randomLines(size: number): string {
  const base64 = randomBytes(Math.ceil((size * 3) / 4)).toString('base64');
  return (base64.match(/.{1,76}/g) ?? []).join('\n').slice(0, size - 1) + '\n';
}
