/**
 * The measurements beside verify-all: the per-process peers, activation,
 * config validation, the Verification view, SHA-256 of a large archive,
 * publish-signed and the HTTP registry. Each runs in processes of its own.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readLockFile } from '../../src/core/lockfile/lockfile.ts';
import { archivePathIn, SIGNATURE_SUFFIX } from '../../src/core/registry/layout.ts';
import { fixtures, median, PACKAGES, round, RUNS, runJson, SMOKE } from '../harness.ts';
import type { SectionResult } from '../harness.ts';
import type { World } from '../worlds.ts';

/** `gpg --verify`, one process per package, over a sample; and whether a Sigstore CLI is installed (none is here). */
export async function peers(world: World): Promise<SectionResult> {
  const sigstore = ['cosign', 'sigstore'].find((tool) => spawnSync(tool, ['--version']).status === 0);
  const figures: Record<string, unknown> = { sigstore_cli: sigstore ?? 'not installed' };
  const rows: SectionResult['rows'] = [];
  if (!sigstore) rows.push(['per-process Sigstore CLI peer', 'not installed', 'cosign / sigstore-python absent here']);
  if (spawnSync('gpg', ['--version']).status !== 0) return { figures, rows };
  const lock = await readLockFile(join(world.root, 'project', '.aam', 'aam-lock.yaml'));
  const names = Object.keys(lock.packages).slice(0, SMOKE ? 5 : 50);
  const started = performance.now();
  for (const name of names) {
    const archive = archivePathIn(join(world.root, 'registry'), name, lock.packages[name]!.version);
    const args = ['--homedir', join(world.root, 'home', '.gnupg'), '--batch', '--quiet', '--verify'];
    const result = spawnSync('gpg', [...args, `${archive}${SIGNATURE_SUFFIX.gpg}`, archive], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`gpg --verify failed for ${name}: ${result.stderr}`);
  }
  const perPackage = (performance.now() - started) / names.length;
  figures.gpg_verify_per_process_ms = round(perPackage, 2);
  rows.push([
    'per-process peer: gpg --verify',
    `${round(perPackage, 1)} ms/package`,
    `≈ ${round((perPackage * PACKAGES) / 1000, 1)} s for ${PACKAGES}`,
  ]);
  return { figures, rows };
}

export function activation(): SectionResult {
  const runs = Array.from({ length: SMOKE ? 1 : Math.max(RUNS, 7) }, () =>
    runJson<{ totalMs: number; loadedDuringActivation: string[] }>('activation.ts', []),
  );
  const leaked = runs.flatMap((r) => r.loadedDuringActivation);
  const ms = round(median(runs.map((r) => r.totalMs)));
  return {
    figures: { activation_ms: ms, activation_loaded_engine: leaked.length > 0 },
    rows: [
      [
        'activation (load dist/extension.js + activate())',
        `${ms} ms`,
        leaked.length ? `engine loaded during activation: ${leaked[0]}` : 'engine not loaded (goal ≤ 20 ms)',
      ],
    ],
  };
}

export function editor(): SectionResult {
  const runs = Array.from({ length: RUNS }, () =>
    runJson<{ validate_100_lines_ms: number; validate_5000_lines_ms: number }>('editor.ts', SMOKE ? ['3'] : []),
  );
  const small = round(median(runs.map((r) => r.validate_100_lines_ms)), 2);
  const large = round(median(runs.map((r) => r.validate_5000_lines_ms)), 1);
  return {
    figures: { validate_100_lines_ms: small, validate_5000_lines_ms: large },
    rows: [
      ['validate a 100-line config (per keystroke)', `${small} ms`, 'goal ≤ 2 ms'],
      ['validate a 5,000-line config', `${large} ms`, 'goal ≤ 50 ms'],
    ],
  };
}

export function view(): SectionResult {
  const runs = Array.from({ length: SMOKE ? 1 : 3 }, () =>
    runJson<{ childrenMs: number; itemsMs: number }>('view.ts', []),
  );
  const children = round(median(runs.map((r) => r.childrenMs)), 2);
  const items = round(median(runs.map((r) => r.itemsMs)));
  return {
    figures: { view_5000_children_ms: children, view_5000_items_ms: items },
    rows: [['Verification view, 5,000 rows: children / all tree items', `${children} / ${items} ms`, 'no I/O per row']],
  };
}

/** A file of random bytes, written once: 1 GiB, or 64 MiB for the smoke run. */
async function bigFile(): Promise<string> {
  const mib = SMOKE ? 64 : 1024;
  const path = join(fixtures, `hash-${mib}mib.bin`);
  if (existsSync(path) && statSync(path).size === mib << 20) return path;
  console.log(`Writing a ${mib} MiB file to ${path} (once)...`);
  const file = await open(path, 'w');
  try {
    const block = randomBytes(16 << 20);
    for (let i = 0; i < mib / 16; i++) await file.write(block);
  } finally {
    await file.close();
  }
  return path;
}

export async function hash(): Promise<SectionResult> {
  const path = await bigFile();
  for await (const _ of createReadStream(path, { highWaterMark: 4 << 20 }));
  const ours: number[] = [];
  const openssl: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const started = performance.now();
    if (spawnSync('openssl', ['dgst', '-sha256', path]).status === 0) openssl.push(performance.now() - started);
    const run = runJson<{ ms: number; peakRssMb: number }>('hash.ts', [path]);
    ours.push(run.ms);
    rss.push(run.peakRssMb);
  }
  const ratio = openssl.length ? median(openssl) / median(ours) : undefined;
  const size = SMOKE ? '64 MiB' : '1 GiB';
  return {
    figures: {
      hash_file_mib: SMOKE ? 64 : 1024,
      hash_ms: round(median(ours), 0),
      openssl_ms: openssl.length ? round(median(openssl), 0) : 'openssl absent',
      hash_ratio_vs_openssl: ratio === undefined ? 'openssl absent' : round(ratio, 2),
      hash_peak_rss_mb: round(Math.max(...rss), 0),
    },
    rows: [
      [
        `SHA-256 of a ${size} archive (throughput vs openssl)`,
        `${round(median(ours), 0)} ms`,
        `${ratio === undefined ? 'openssl absent' : `${round(ratio, 2)}× openssl (${round(median(openssl), 0)} ms)`}; peak RSS ${round(Math.max(...rss), 0)} MB`,
      ],
    ],
  };
}

export function publish(): SectionResult {
  const { times } = runJson<{ times: number[] }>('publish.ts', [String(SMOKE ? 1 : Math.max(RUNS, 3))]);
  const ms = round(median(times), 0);
  return {
    figures: { publish_10mb_ms: ms },
    rows: [['publish-signed, 10 MB package, local Sigstore (after sign-in)', `${ms} ms`, 'goal ≤ 1000 ms']],
  };
}

interface RegistryLoad {
  engine: string;
  instances: number;
  publishes_per_s: number;
  installs_per_s: number;
  metadata_p50_ms: number;
  metadata_p99_ms: number;
}

/** The HTTP registry; the smoke run loads the embedded engine only, lightly (a PostgreSQL cluster takes seconds to start). */
export function registry(): SectionResult {
  const args = SMOKE ? ['10', '10', '10', 'pglite'] : [];
  const { results } = runJson<{ results: RegistryLoad[] }>('registry.ts', args);
  return {
    figures: { registry: results },
    rows: results.map((r) => [
      `HTTP registry, ${r.engine === 'pglite' ? 'PGlite' : 'PostgreSQL'}, ${r.instances} instance${r.instances > 1 ? 's' : ''}`,
      `${r.publishes_per_s} publishes/s, ${r.installs_per_s} installs/s`,
      `version metadata p50 ${r.metadata_p50_ms} ms, p99 ${r.metadata_p99_ms} ms`,
    ]),
  };
}
