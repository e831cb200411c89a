/**
 * What one search costs, one request at a time (no queue of others before
 * it): an `aam-trust registry serve` on a seeded database (one kept by
 * AAM_BENCH_DATABASE_URL), 300 sequential requests of each kind after a
 * warm-up round, beside two routes that do not touch the database, which
 * show the machine's own round trip. Needs `npm run build` first.
 *
 *   node bench/registry/search-latency.ts postgres://…
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer } from './load.ts';
import { fixturePackage, queryWord } from './names.ts';

const url = process.argv[2];
if (!url?.startsWith('postgres://')) throw new Error('usage: search-latency.ts postgres://…');
const COUNT = 300;
const root = await mkdtemp(join(tmpdir(), 'aam-search-latency-'));
const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const server = await spawnServer([
  cli,
  'registry',
  'serve',
  '--port',
  '0',
  '--quiet',
  '--data',
  join(root, 'data'),
  '--database',
  url,
  '--blobs',
  join(root, 'blobs'),
  '--key',
  join(root, 'key.pem'),
  '--rate-limit',
  'search=off',
]);
const anyPackage = () => fixturePackage(Math.floor(Math.random() * 100_000));
const kinds: Record<string, () => string> = {
  'well-known (no database)': () => '/.well-known/aam-registry.json',
  'package metadata (cached)': () => `/api/v1/packages/${fixturePackage(4242).full}`,
  'search: exact name': () => `/api/v1/packages?q=${encodeURIComponent(anyPackage().full)}`,
  'search: name prefix': () => {
    const { full } = anyPackage();
    return `/api/v1/packages?q=${encodeURIComponent(full.slice(0, Math.max(3, Math.round(full.length * 0.6))))}`;
  },
  'search: one word': () => `/api/v1/packages?q=${queryWord()}`,
  'search: two words': () => `/api/v1/packages?q=${queryWord()}-${queryWord()}`,
};
try {
  for (const round of ['warm', 'measured'])
    for (const [kind, path] of Object.entries(kinds)) {
      const ms: number[] = [];
      for (let i = 0; i < COUNT; i++) {
        const started = performance.now();
        const response = await fetch(server.url + path());
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`${response.status} for ${kind}`);
        ms.push(performance.now() - started);
      }
      ms.sort((a, b) => a - b);
      const at = (q: number) => ms[Math.floor(q * (COUNT - 1))]!.toFixed(1);
      if (round === 'measured')
        console.log(`${kind.padEnd(28)} p50 ${at(0.5)} ms  p90 ${at(0.9)} ms  p99 ${at(0.99)} ms  (${COUNT} requests)`);
    }
} finally {
  await server.stop();
  await rm(root, { recursive: true, force: true });
}
