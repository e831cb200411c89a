import { readLockFile } from '../../core/lockfile/lockfile.ts';
import { gatherEvidence } from '../../core/verify/verify-installed.ts';
import { sha256 } from '../../core/archive/hash.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const OFFLINE_HELP = `Usage: aam-trust prepare-offline [--project DIR] [--global] [--json]

Copies the archive and signature of every installed package into the offline
evidence cache (~/.aam/cache), so "aam-trust verify --offline" works without
the registries.`;

export async function prepareOfflineCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values } = parse('prepare-offline', argv, { ...COMMON, global: { type: 'boolean' } });
  if (values.help) {
    io.stdout(`${OFFLINE_HELP}\n`);
    return EXIT.ok;
  }
  const ctx = await commandContext(io, values);
  const result = await prepareOffline(ctx);
  if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const item of result.cached) io.stdout(`✓ ${item}\n`);
    for (const item of result.missing) io.stdout(`✗ ${item}\n`);
    io.stdout(`${result.cached.length} cached in ${ctx.cache.dir}${result.missing.length > 0 ? `, ${result.missing.length} unavailable` : ''}\n`);
  }
  return result.missing.length > 0 ? EXIT.failed : EXIT.ok;
}

/** Caches each installed package's archive and signature, if they match what the lock file records. */
export async function prepareOffline(ctx: Awaited<ReturnType<typeof commandContext>>): Promise<{ cached: string[]; missing: string[] }> {
  const lock = await readLockFile(ctx.workspace.lockFile);
  const cached: string[] = [];
  const missing: string[] = [];
  for (const [name, entry] of Object.entries(lock.packages)) {
    const evidence = await gatherEvidence(name, entry, { workspace: ctx.workspace, config: ctx.config, cache: ctx.cache, offline: false });
    if (!evidence.archive || sha256(evidence.archive) !== entry.checksum) {
      missing.push(`${name}@${entry.version}: ${evidence.archive ? 'the registry archive no longer matches the lock file' : evidence.archiveOrigin}`);
      continue;
    }
    await ctx.cache.put(evidence.archive);
    for (const signature of evidence.signatures) await ctx.cache.put(signature.bytes);
    cached.push(`${name}@${entry.version}`);
  }
  return { cached, missing };
}
