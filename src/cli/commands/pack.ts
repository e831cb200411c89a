import { join, resolve } from 'node:path';
import { packDirectory } from '../../core/package/pack.ts';
import { secretFilesWarning, secretLookingFiles } from '../../core/package/secret-files.ts';
import { writeFileAtomic } from '../../core/fs/atomic-write.ts';
import { formatSize, refuseHidden } from '../../core/workflows/publish.ts';
import { AamError } from '../../core/errors.ts';
import { loadConfig } from '../../core/config/load.ts';
import { readArchive } from '../../core/archive/read.ts';
import { hiddenFiles } from '../../core/content/scan.ts';
import { hiddenLine } from '../../core/content/describe.ts';
import { COMMON, parse } from '../args.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const PACK_HELP = `Usage: aam-trust pack DIR [--output FILE] [--json]

Packs the package folder DIR (with aam.yaml) into a reproducible .aam archive
and prints its checksum. The archive is written to FILE, or to
<name>-<version>.aam in the current folder; a link at that path is replaced,
never written through.

Every file of the folder is packed, dotfiles too; files that look like secrets
(.env, .npmrc, *.pem, *.key, id_rsa, credentials…) are named in a warning.

Hidden content in the package's files (invisible Unicode, Markdown a preview
hides, text off screen) is listed as a warning; with security.hidden_content:
error nothing is written. Publishing refuses it unless hidden_content: ignore.`;

export async function packCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('pack', argv, { ...COMMON, output: { type: 'string', short: 'o' } });
  if (values.help) {
    io.stdout(`${PACK_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new AamError('USAGE', 'pack needs exactly one package folder.', { hint: 'aam-trust pack ./my-package' });
  const packed = await packDirectory(resolve(io.cwd, positionals[0]!));
  const mode = (await loadConfig({ homeDir: io.homeDir, projectDir: io.cwd, env: io.env })).security.hidden_content;
  const hidden = mode === 'ignore' ? [] : hiddenFiles((await readArchive(packed.bytes)).files);
  if (mode === 'error') refuseHidden(hidden, `${packed.manifest.name}@${packed.manifest.version}`, 'packed');
  const fileName = `${packed.manifest.name.replace(/^@/, '').replace('/', '-')}-${packed.manifest.version}.aam`;
  const output = resolve(io.cwd, values.output ?? join('.', fileName));
  // A new file renamed into place: a link at the output path (one a repository committed, say) is
  // replaced, never written through, and a failed write leaves no partial archive.
  await writeFileAtomic(output, packed.bytes);
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
  const secrets = secretFilesWarning(secretLookingFiles(packed.files.map((f) => f.path)));
  if (secrets) io.stderr(`warning: ${secrets}\n`);
  for (const file of hidden)
    for (const item of file.items) io.stderr(`warning: hidden content: ${hiddenLine(file.path, item)}\n`);
  return EXIT.ok;
}
