import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './temp.ts';

export const ACTION = join(import.meta.dirname, '..', '..', 'dist', 'action.js');

export interface Step {
  code: number;
  stdout: string;
  summary: string;
  outputs: Record<string, string>;
}

/**
 * Runs the action's entry point as a runner runs a step: its own process,
 * with the environment GitHub Actions sets (inputs as INPUT_*, the files for
 * the job summary and outputs, the workspace, RUNNER_TEMP, and for `publish`
 * the OIDC token request URL answered by the local Sigstore instance).
 */
export async function runStep(inputs: Record<string, string>, env: Record<string, string>): Promise<Step> {
  const temp = await tempDir('aam-runner-');
  const files = { GITHUB_STEP_SUMMARY: join(temp, 'summary.md'), GITHUB_OUTPUT: join(temp, 'output') };
  await Promise.all(Object.values(files).map((f) => writeFile(f, '')));
  const vars = {
    PATH: process.env.PATH ?? '',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/tools',
    GITHUB_EVENT_NAME: 'pull_request',
    RUNNER_TEMP: temp,
    ...files,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase().replace(/-/g, '_')}`, v])),
    ...env,
  };
  const run = await promisify(execFile)(process.execPath, [ACTION], { cwd: env.GITHUB_WORKSPACE, env: vars }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  const outputs: Record<string, string> = {};
  for (const m of (await readFile(files.GITHUB_OUTPUT, 'utf8')).matchAll(/^(.+)<<(\S+)\n([^]*?)\n\2$/gm))
    outputs[m[1]!] = m[3]!;
  return { ...run, summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'), outputs };
}
