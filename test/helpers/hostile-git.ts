import { execFileSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './temp.ts';

/**
 * A project whose repository, as a workspace an attacker wrote can carry it
 * (an archive, a shared folder), names programs in its own `.git/config` for
 * git to run: a textconv for every path (run when git shows a diff: HEAD's
 * `.aam/aam-lock.yaml` is a gitlink, so `git show HEAD:.aam/aam-lock.yaml`
 * shows a commit with its diff), and an fsmonitor (run when git reads the
 * index). Each writes `marker` when run. The working tree has an ordinary
 * lock file.
 */
export async function hostileRepository(): Promise<{ dir: string; home: string; marker: string }> {
  const root = await tempDir('aam-hostile-git-');
  const dir = join(root, 'project');
  const home = join(root, 'home');
  await mkdir(join(dir, '.aam'), { recursive: true });
  await mkdir(join(home, '.aam'), { recursive: true });
  const marker = join(root, 'RAN');
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=a', '-c', 'user.email=a@example.com', ...args], {
      encoding: 'utf8',
    });
  git('init', '-q');
  await writeFile(join(dir, 'payload.txt'), 'x\n');
  git('add', 'payload.txt');
  git('commit', '-q', '-m', 'inner');
  const inner = git('rev-parse', 'HEAD').trim();
  git('update-index', '--add', '--cacheinfo', `160000,${inner},.aam/aam-lock.yaml`);
  git('commit', '-q', '-m', 'outer');
  await writeFile(join(dir, '.aam', 'aam-lock.yaml'), 'lockfile_version: 1\npackages: {}\n');
  const script = join(dir, '.aam', 'tool.sh');
  await writeFile(script, `#!/bin/sh\necho "$0 $*" >> '${marker}'\ncat "$1" 2>/dev/null\n`);
  await chmod(script, 0o755);
  await writeFile(join(dir, '.gitattributes'), '* diff=evil\n');
  git('config', 'diff.evil.textconv', script);
  git('config', 'core.fsmonitor', script);
  git('config', 'log.showSignature', 'true');
  git('config', 'gpg.program', script);
  return { dir, home, marker };
}
