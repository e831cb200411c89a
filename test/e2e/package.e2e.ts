import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSession } from './harness.ts';
import type { Session } from './harness.ts';
import { tempDir } from '../helpers/temp.ts';

const REPO = join(import.meta.dirname, '..', '..');

describe('the packaged .vsix', () => {
  let s: Session;
  let vsix: string;
  before(async () => {
    vsix = join(await tempDir('aam-vsix-'), 'aam-trust.vsix');
    // dist/ is already built by `npm test`; package exactly what ships.
    await promisify(execFile)(
      join(REPO, 'node_modules', '.bin', 'vsce'),
      ['package', '--no-dependencies', '--out', vsix],
      { cwd: REPO },
    );
    s = await startSession({ trusted: true, vsix });
  });
  after(async () => s?.close());

  it('installs with --install-extension and verifies the demo packages without node_modules', async () => {
    for (const [name, status] of Object.entries(s.world.expected)) await s.waitForStatus(name, status);
    const listed = await promisify(execFile)('unzip', ['-l', vsix]);
    assert.doesNotMatch(listed.stdout, /node_modules|\.map\b|src\//);
    console.log(`screenshot: ${await s.shot('11-installed-from-vsix')}`);
  });
});
