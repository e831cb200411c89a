import { prepareOffline } from '../../core/workflows/prepare-offline.ts';
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
    io.stdout(
      `${result.cached.length} cached in ${ctx.cache.dir}${result.missing.length > 0 ? `, ${result.missing.length} unavailable` : ''}\n`,
    );
  }
  return result.missing.length > 0 ? EXIT.failed : EXIT.ok;
}
