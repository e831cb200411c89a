import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { packDirectory } from '../../core/package/pack.ts';
import { formatSize } from '../../core/workflows/publish.ts';
import { AamError } from '../../core/errors.ts';
import { COMMON, parse } from '../args.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const PACK_HELP = `Usage: aam-trust pack DIR [--output FILE] [--json]

Packs the package folder DIR (with aam.yaml) into a reproducible .aam archive
and prints its checksum. The archive is written to FILE, or to
<name>-<version>.aam in the current folder.`;

export async function packCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('pack', argv, { ...COMMON, output: { type: 'string', short: 'o' } });
  if (values.help) {
    io.stdout(`${PACK_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new AamError('USAGE', 'pack needs exactly one package folder.', { hint: 'aam-trust pack ./my-package' });
  const packed = await packDirectory(resolve(io.cwd, positionals[0]!));
  const fileName = `${packed.manifest.name.replace(/^@/, '').replace('/', '-')}-${packed.manifest.version}.aam`;
  const output = resolve(io.cwd, values.output ?? join('.', fileName));
  await writeFile(output, packed.bytes);
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ name: packed.manifest.name, version: packed.manifest.version, archive: output, checksum: packed.checksum, size: packed.bytes.length, files: packed.files, skipped: packed.skipped }, null, 2)}\n`,
    );
  } else {
    io.stdout(
      `✓ Packed ${packed.manifest.name}@${packed.manifest.version} → ${output}\n  ${packed.files.length} files, ${formatSize(packed.bytes.length)}\n  Checksum: ${packed.checksum}\n`,
    );
    for (const skipped of packed.skipped) io.stdout(`  Skipped ${skipped}\n`);
  }
  return EXIT.ok;
}
