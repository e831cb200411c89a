import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dirs = new Set<string>();
const gnupgHomes = new Set<string>();

// Each test file runs in its own process: what it made goes when it exits,
// pass or fail — temporary folders, and the gpg-agent a GnuPG home starts.
process.on('exit', () => {
  for (const home of gnupgHomes) {
    try {
      execFileSync('gpgconf', ['--homedir', home, '--kill', 'all'], { stdio: 'ignore', timeout: 5_000 });
    } catch {
      // no agent was started, or gpgconf is missing
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test process exits. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

/** `tempDir`, for a caller that cannot wait. */
export function tempDirSync(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

/** Stops the GnuPG daemons of `home` when the test process exits. */
export function stopGnupgAtExit(home: string): void {
  gnupgHomes.add(home);
}
