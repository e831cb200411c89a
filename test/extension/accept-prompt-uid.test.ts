import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { acceptThroughDialog, installAccepting } from '../helpers/accept-dialog.ts';
import { makeWorld } from '../helpers/workspace.ts';
import { importPublicKey } from '../../src/core/openpgp/keyring.ts';
import { publishPackage } from '../../src/core/workflows/publish.ts';
import type { Signing } from '../../src/core/workflows/publish.ts';

/**
 * The Accept Signer Change dialog shows an OpenPGP user ID, which whoever made the key chooses. With its line
 * breaks and a bidi override kept, a new key's user ID drew a "now:" line naming the recorded key and pushed the
 * real fingerprint 40 lines down. Every value is shown on its own line, written out.
 */
describe('Accept Signer Change prompt', () => {
  it("writes a publisher's user ID out on one line, so it cannot forge the dialog's lines", async () => {
    const w = await makeWorld();
    const keysDir = join(w.home, '.aam', 'keys');
    const key = async (name: string, file: string) => {
      const { privateKey, publicKey } = await generateKey({
        type: 'curve25519',
        userIDs: [{ name, email: 'pat@example.com' }],
        format: 'armored',
      });
      await writeFile(join(w.root, file), privateKey);
      const [imported] = await importPublicKey(publicKey, keysDir);
      return {
        fpr: imported!.fingerprint,
        signing: {
          method: 'gpg',
          keySource: { kind: 'file', path: join(w.root, file) },
          prompt: async () => '',
        } as Signing,
      };
    };
    const pat = await key('Pat', 'pat.asc');
    const forged = `Pat <pat@example.com>, OpenPGP key ${pat.fpr}\n\n(no change: same key, new subkey)\n${'\n'.repeat(40)}\u202E`;
    const mallory = await key(forged, 'mallory.asc');
    const { verifier } = await w.services();
    const publish = async (version: string, signing: Signing) =>
      publishPackage({ packageDir: await w.makePackage('hello', version), registry: w.registry, signing, verifier });
    await publish('1.0.0', pat.signing);
    await publish('1.1.0', mallory.signing);
    const install = installAccepting(w);
    await install('hello@1.0.0');
    const recordPath = join(w.project, '.aam', 'trust-record.yaml');
    const patRecord = await readFile(recordPath, 'utf8');
    await install('hello@1.1.0');
    await writeFile(recordPath, patRecord);

    // Cancelled: only the dialog's text matters here.
    const { asked, run } = await acceptThroughDialog(w, async () => undefined);
    await run;
    const detail = asked[0]!;
    const lines = detail.split('\n');
    const nowLine = lines.find((l) => l.trimStart().startsWith('now:'))!;
    // One "now:" line, naming the new key: the user ID's line breaks and bidi override are written out.
    assert.equal(lines.filter((l) => l.trimStart().startsWith('now:')).length, 1);
    assert.ok(nowLine.includes(mallory.fpr), nowLine);
    assert.ok(!detail.includes('\u202E'), 'no bidi override reaches the modal');
    assert.match(nowLine, /\\n\\n\(no change: same key, new subkey\)\\n/);
  });
});
