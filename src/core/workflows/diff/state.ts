import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { AamError } from '../../errors.ts';
import { readRegularFile } from '../../fs/safe-read.ts';
import { parseLockText } from '../../lockfile/lockfile.ts';
import type { LockFile } from '../../lockfile/lockfile.ts';
import { parseTrustRecordText, RECORD_FILE } from '../../record/trust-record.ts';
import type { TrustRecord } from '../../record/trust-record.ts';

/** One state of a project's AAM files: the lock file, the trust record and the project config. */
export interface ProjectState {
  /** What the state is: "working tree", "HEAD", "main", a folder. */
  label: string;
  lock: LockFile;
  lockText: string;
  record: TrustRecord;
  configText: string;
}

const FILES = { lock: 'aam-lock.yaml', record: RECORD_FILE, config: 'config.yaml' } as const;

/** The project's AAM files as they are on disk. */
export async function workingState(projectDir: string, label = 'working tree'): Promise<ProjectState> {
  const read = async (file: string) =>
    (await readRegularFile(join(projectDir, '.aam', file), file === 'config.yaml' ? 'config' : 'lock'))?.toString(
      'utf8',
    ) ?? '';
  return stateOf(label, await read(FILES.lock), await read(FILES.record), await read(FILES.config));
}

/**
 * The project's AAM files at a git revision (a branch, a tag, a commit), read
 * as blobs (`git cat-file blob`: never a diff, so no textconv or external diff
 * program the repository configures runs); a file the revision does not have,
 * or has as anything but a file, is empty there. A short name that more than
 * one ref answers to (a tag `main` beside the branch, a branch `origin/main`
 * beside the remote one: anyone who can push a ref can add one) is refused;
 * git would pick one silently. `label` names the state (default: `revision`).
 */
export async function gitState(projectDir: string, revision: string, label = revision): Promise<ProjectState> {
  if (!/^[\w./@{}~^:-]+$/.test(revision) || revision.startsWith('-'))
    throw new AamError('USAGE', `"${revision}" is not a git revision.`);
  const root = (await git(projectDir, ['rev-parse', '--show-toplevel'])).trim();
  const commit = (await git(root, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]).catch(() => '')).trim();
  if (!commit) {
    throw new AamError('USAGE', `git does not know the revision "${revision}" in ${root}.`, {
      hint: 'Name a branch, a tag or a commit (git branch -a lists them).',
    });
  }
  const refs = await refsNamed(root, revision);
  if (refs.length > 1)
    throw new AamError('USAGE', `"${revision}" is ambiguous in ${root}: ${refs.join(', ')} all answer to it.`, {
      hint: `Name the one you mean in full: ${refs.join(' or ')}.`,
    });
  // Every file from the one commit resolved above, whatever a ref does meanwhile.
  const at = async (file: string) =>
    git(root, [
      'cat-file',
      'blob',
      `${commit}:${relative(root, join(projectDir, '.aam', file))
        .split('\\')
        .join('/')}`,
    ]).catch(() => '');
  return stateOf(label, await at(FILES.lock), await at(FILES.record), await at(FILES.config));
}

/**
 * The refs a revision's name part (before `~`, `^`, `:` or `@{`) answers to, in the order git
 * tries them (gitrevisions: refs/NAME, refs/tags/NAME, refs/heads/NAME, refs/remotes/NAME,
 * refs/remotes/NAME/HEAD), and the objects it abbreviates. A full commit id names no ref.
 */
async function refsNamed(root: string, revision: string): Promise<string[]> {
  const name = revision.split(/[~^:]|@\{/)[0]!;
  if (name === '' || /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(name)) return [];
  const rules = ['refs/', 'refs/tags/', 'refs/heads/', 'refs/remotes/'].map((prefix) => prefix + name);
  const listed = new Set((await git(root, ['for-each-ref', '--format=%(refname)', ...rules])).split('\n'));
  const refs = [...rules, `refs/remotes/${name}/HEAD`].filter((ref) => listed.has(ref));
  // A name that could be an abbreviated object id is one more candidate: a pushed branch `1a2b3c4` would
  // otherwise take a base given as a short commit id, git preferring the ref.
  if (refs.length === 0 || !/^[0-9a-f]{4,39}$/.test(name)) return refs;
  const objects = await git(root, ['rev-parse', `--disambiguate=${name}`]).catch(() => '');
  return [
    ...refs,
    ...objects
      .split('\n')
      .filter(Boolean)
      .map((id) => `the object ${id}`),
  ];
}

/** Whether git knows REVISION as a commit in the repository holding the project (false outside git). */
export async function isRevision(projectDir: string, revision: string): Promise<boolean> {
  if (!/^[\w./@{}~^:-]+$/.test(revision) || revision.startsWith('-')) return false;
  return git(projectDir, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]).then(
    (out) => out.trim() !== '',
    () => false,
  );
}

/** A base given as a folder (a checkout, a copy of `.aam/`), or a lock file with its trust record beside it. */
export async function pathState(path: string): Promise<ProjectState> {
  const info = await stat(path);
  if (info.isDirectory()) {
    const aam = (await stat(join(path, '.aam')).then(
      (s) => s.isDirectory(),
      () => false,
    ))
      ? join(path, '.aam')
      : path;
    return workingState(dirname(aam), path);
  }
  const read = async (file: string) => (await readRegularFile(file, 'lock'))?.toString('utf8') ?? '';
  return stateOf(
    path,
    await read(path),
    await read(join(dirname(path), RECORD_FILE)),
    await read(join(dirname(path), FILES.config)),
  );
}

function stateOf(label: string, lockText: string, recordText: string, configText: string): ProjectState {
  return {
    label,
    lock: parseLockText(lockText, `${label}: aam-lock.yaml`),
    lockText,
    record: parseTrustRecordText(recordText, `${label}: ${RECORD_FILE}`),
    configText,
  };
}

/**
 * Settings of a repository's own `.git/config` that make git run a program,
 * turned off for the commands here (none of which needs them): a repository
 * is the project's to write, and reading its state must not run its code.
 */
export const GIT_SAFE_CONFIG = [
  ...['-c', 'core.fsmonitor=false', '-c', 'diff.external=', '-c', 'log.showSignature=false'],
  ...['-c', 'core.hooksPath=/dev/null', '-c', 'protocol.ext.allow=never'],
];

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...GIT_SAFE_CONFIG, '-C', cwd, ...args],
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new AamError('USAGE', `git ${args[0]} failed in ${cwd}: ${stderr.trim() || error.message}`, {
              hint: 'Trust Diff reads the base state with git; run it inside a git repository, or give a folder or lock file as the base.',
            }),
          );
        else resolve(stdout);
      },
    );
  });
}
