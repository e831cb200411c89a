import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { promisify } from 'node:util';
import { assertUsablePolicy } from '../core/config/load.ts';
import { AamError } from '../core/errors.ts';
import { GIT_SAFE_CONFIG, gitState, isRevision } from '../core/workflows/diff/state.ts';
import { trustChanges } from '../cli/commands/diff.ts';
import { commandContext } from '../cli/context.ts';
import type { Runner } from './runner.ts';

/** What a pull request changes in the trust picture against the branch it goes into. */
export interface BaseComparison {
  /** The revision compared with (`origin/main`, or the `base` input). */
  base: string;
  /** What fails: a weaker policy, a signer change, a removed signature, a downgrade, a newly failing package. */
  reasons: string[];
}

/**
 * On a pull request, the trust picture against its base branch, as `aam-trust diff BASE --restricted` gives it.
 * Restricted verification weighs the project's policy against the global one only, and the project's policy and
 * trust record are the pull request's own: on a runner without a global policy, a pull request that trusts its
 * own signer, deletes the policy or rewrites a recorded signer would pass. Against the base branch each of those
 * is a reason that fails the step.
 *
 * The base is the `base` input, or `origin/$GITHUB_BASE_REF` on a pull request (fetched, one commit deep, when the
 * checkout does not have it); `base: none` turns the comparison off. Undefined: nothing to compare with.
 */
export async function compareWithBase(runner: Runner, project: string): Promise<BaseComparison | undefined> {
  const base = await baseRevision(runner, project);
  if (!base) return undefined;
  const io = {
    stdout: () => undefined,
    stderr: (text: string) => runner.log(text.trimEnd()),
    env: runner.env,
    cwd: project,
    homeDir: runner.env.HOME ?? homedir(),
    color: false,
    askSecret: async () => undefined,
    openUrl: async () => undefined,
  };
  const ctx = await commandContext(io, { project, restricted: true });
  assertUsablePolicy(ctx.config);
  // Always read from git, never as a folder: a pull request can commit a folder named like any revision.
  const { diff } = await trustChanges(ctx, io, await gitState(project, base.ref, base.shown));
  return { base: base.shown, reasons: diff.reasons };
}

/**
 * The base: `ref` what git reads, `shown` what the summary names. The pull request's base branch is read from its
 * remote-tracking ref in full: a short `origin/main` is also what a tag or a branch of that name answers to, and
 * anyone who can push a ref can add one pointing at the pull request itself.
 */
async function baseRevision(runner: Runner, project: string): Promise<{ ref: string; shown: string } | undefined> {
  const asked = runner.input('base');
  if (asked === 'none') return undefined;
  if (asked) return { ref: asked, shown: asked };
  const branch = runner.env.GITHUB_BASE_REF;
  if (!branch) return undefined;
  if (!/^[\w./-]+$/.test(branch) || branch.startsWith('-') || branch.includes('..'))
    throw new AamError('USAGE', `The pull request's base branch "${branch}" is not a branch name git takes.`);
  const base = { ref: `refs/remotes/origin/${branch}`, shown: `origin/${branch}` };
  if (await isRevision(project, base.ref)) return base;
  runner.log(`Fetching ${branch} (the pull request's base branch) to compare the trust picture with it…`);
  try {
    await git(project, ['fetch', '--no-tags', '--depth=1', 'origin', `+refs/heads/${branch}:${base.ref}`]);
  } catch (error) {
    throw new AamError(
      'USAGE',
      `Could not fetch the base branch ${branch} to compare with: ${(error as Error).message}`,
      {
        hint: 'Check out with history (actions/checkout with fetch-depth: 0), name a revision with the base input, or set base: none to verify without comparing.',
      },
    );
  }
  return base;
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('git', [...GIT_SAFE_CONFIG, '-C', cwd, ...args], {
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
  return stdout;
}
