/**
 * The benchmark's worlds, built once into .bench-fixtures/ and reused while
 * their shape is the one this file knows (FIXTURE_VERSION).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBenchWorld } from './fixtures.ts';
import type { WorldInfo } from './fixtures.ts';
import { CONTENT, fixtures } from './harness.ts';
import { LocalSigstore } from '../dev/local-sigstore/instance.ts';

/** Bump when the fixtures' shape changes, so stale worlds are rebuilt. 3: distinct artifacts and collision pairs; 4: text prompts from the tests' generator; 5: random prompts are printable text. */
const FIXTURE_VERSION = 5;

export interface World extends WorldInfo {
  root: string;
}

export async function world(method: 'sigstore' | 'gpg', count: number): Promise<World> {
  const root = join(fixtures, `${method}-${count}${CONTENT === 'text' ? '-text' : ''}`);
  const marker = join(root, 'ready.json');
  if (existsSync(marker)) {
    const ready = JSON.parse(readFileSync(marker, 'utf8')) as WorldInfo & { version: number };
    if (ready.version === FIXTURE_VERSION) return { ...ready, root };
  }
  console.log(`Building ${count} ${method}-signed packages (${CONTENT} prompts) in ${root} (once)...`);
  const started = performance.now();
  const sigstore = await LocalSigstore.start();
  let info: WorldInfo;
  try {
    info = await buildBenchWorld(root, { count, method, sigstore, content: CONTENT });
  } finally {
    await sigstore.close();
  }
  console.log(`  built in ${Math.round((performance.now() - started) / 1000)} s`);
  await writeFile(marker, JSON.stringify({ version: FIXTURE_VERSION, ...info }));
  return { ...info, root };
}

/** Reads every file of a world once, so that no run pays for the disk and the first run is not special. */
export function warmPageCache(root: string): void {
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) readFileSync(path);
    }
  };
  walk(root);
}

/** The gpg-agent a GnuPG world's runs started: it would outlive the benchmark. */
export function stopAgents(root: string): void {
  if (existsSync(join(root, 'home', '.gnupg')))
    spawnSync('gpgconf', ['--homedir', join(root, 'home', '.gnupg'), '--kill', 'gpg-agent']);
}
