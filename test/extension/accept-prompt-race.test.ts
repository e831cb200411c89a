import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acceptThroughDialog, installAccepting } from '../helpers/accept-dialog.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { signedWorld } from '../helpers/signed-world.ts';

/**
 * Accept Signer Change records what the dialog showed, or nothing: the package is verified again after the
 * answer, and a package that changed while the dialog was open (a checkout put mallory's 1.2.0 where bob's 1.1.0
 * was shown) is refused instead of recorded.
 */
describe('Accept Signer Change', () => {
  const local = useLocalSigstore();

  it('refuses a package that changed while the dialog was open, and records nothing', async () => {
    const w = await signedWorld(local.instance(), '');
    await w.publish('hello', '1.0.0', 'alice@example.com');
    await w.publish('hello', '1.1.0', 'bob@example.com');
    await w.publish('hello', '1.2.0', 'mallory@evil.example');
    const aam = join(w.project, '.aam');
    const recordPath = join(aam, 'trust-record.yaml');
    const lockPath = join(aam, 'aam-lock.yaml');
    const install = installAccepting(w);
    await install('hello@1.0.0');
    const aliceRecord = await readFile(recordPath, 'utf8');
    // mallory's state, kept aside: what a branch / another process will put on disk later.
    await install('hello@1.2.0');
    const malloryLock = await readFile(lockPath, 'utf8');
    await cp(join(aam, 'packages', 'hello'), join(w.root, 'mallory-hello'), { recursive: true });
    // What the user reviews: bob's 1.1.0 over alice's record → SIGNER_CHANGED alice → bob.
    await install('hello@1.1.0');
    await writeFile(recordPath, aliceRecord);

    const { asked, run } = await acceptThroughDialog(w, async (buttons) => {
      if (buttons.length === 0) return undefined;
      // While the modal is open the working tree changes (git checkout, another `aam install`…).
      await writeFile(lockPath, malloryLock);
      await rm(join(aam, 'packages', 'hello'), { recursive: true });
      await cp(join(w.root, 'mallory-hello'), join(aam, 'packages', 'hello'), { recursive: true });
      return buttons[0]; // "Accept and Record"
    });
    await assert.rejects(
      run,
      /Not accepted: hello is now hello@1\.2\.0 \(sha256:[0-9a-f]{64}\), not what was shown\. Nothing was recorded\./,
    );
    assert.match(asked[0]!, /hello@1\.1\.0/);
    assert.match(asked[0]!, /bob@example\.com/);
    assert.equal(await readFile(recordPath, 'utf8'), aliceRecord, 'nothing recorded: alice stays');
  });
});
