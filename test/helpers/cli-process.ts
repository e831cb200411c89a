import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const SOURCE_CLI = join(import.meta.dirname, '..', '..', 'src', 'cli.ts');

/**
 * The CLI as its own process, run from the sources (no build needed), with
 * only the environment given: what a user in that HOME and folder would see
 * on stdout and stderr, and the exit code.
 */
export async function cliProcess(
  args: string[],
  options: { cwd: string; home: string; env?: Record<string, string> },
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [SOURCE_CLI, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, HOME: options.home, NO_COLOR: '1', ...options.env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
