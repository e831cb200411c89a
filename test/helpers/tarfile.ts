import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ensureAamCli } from '../../scripts/tools.ts';
import { tempDir } from './temp.ts';

/**
 * The other reader of every `.aam` archive: the real aam CLI's own
 * functions (`aam_cli.utils.archive`, Python's tarfile), run in its venv.
 */

const run = promisify(execFile);
let python: Promise<string> | undefined;

async function aamPython(script: string, args: string[]): Promise<string> {
  const bin = await (python ??= ensureAamCli().then((aam) => join(dirname(aam), 'python')));
  const { stdout } = await run(bin, ['-c', script, ...args], {
    env: { PATH: process.env.PATH, PYTHONIOENCODING: 'utf-8' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/**
 * What `aam install` writes for these archive bytes: each file's content
 * (read through links), each link's target, and the files their owner may
 * execute.
 */
export type AamExtraction =
  | { ok: true; files: Record<string, string>; links: Record<string, string>; executable: string[] }
  | { ok: false; error: string };

const EXTRACT = `
import json, os, sys
from pathlib import Path
from aam_cli.utils.archive import extract_archive
dest = Path(sys.argv[2])
try:
    extract_archive(Path(sys.argv[1]), dest)
except Exception as e:
    print(json.dumps({"ok": False, "error": type(e).__name__ + ": " + str(e)})); sys.exit(0)
files, links, executable = {}, {}, []
for root, dirs, names in os.walk(dest):
    for n in names + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
        p = os.path.join(root, n); rel = os.path.relpath(p, dest)
        if os.path.islink(p): links[rel] = os.readlink(p)
        elif os.stat(p).st_mode & 0o100: executable.append(rel)
        try: files[rel] = open(p, "rb").read().decode("utf-8", "backslashreplace")
        except OSError as e: files[rel] = "<unreadable: " + e.strerror + ">"
print(json.dumps({"ok": True, "files": files, "links": links, "executable": sorted(executable)}))
`;

export async function aamExtract(archive: Uint8Array): Promise<AamExtraction> {
  const dir = await tempDir('aam-tarfile-');
  await writeFile(join(dir, 'pkg.aam'), archive);
  return JSON.parse(await aamPython(EXTRACT, [join(dir, 'pkg.aam'), join(dir, 'out')])) as AamExtraction;
}

/** Extracts the archive into `dest` with aam's own extract_archive, as `aam install` does into .aam/packages. */
export async function aamExtractInto(archive: Uint8Array, dest: string): Promise<void> {
  const file = join(await tempDir('aam-tarfile-'), 'pkg.aam');
  await writeFile(file, archive);
  await aamPython(
    'import sys\nfrom pathlib import Path\nfrom aam_cli.utils.archive import extract_archive\nextract_archive(Path(sys.argv[1]), Path(sys.argv[2]))',
    [file, dest],
  );
}

const CREATE = `
import sys
from pathlib import Path
from aam_cli.utils.archive import create_archive
create_archive(Path(sys.argv[1]), Path(sys.argv[2]))
`;

/** The archive `aam pkg pack` writes for a package folder. */
export async function aamCreate(source: string): Promise<Buffer> {
  const out = join(await tempDir('aam-tarfile-'), 'pkg.aam');
  await aamPython(CREATE, [source, out]);
  return readFile(out);
}
