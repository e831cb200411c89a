import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { cli } from '../helpers/cli.ts';
import { makeWorld } from '../helpers/workspace.ts';

/**
 * gpg reads its home's gpg.conf, and `agent-program` there names a program gpg starts as soon as it looks for
 * a secret key. A repository's .aam/config.yaml that points security.gpg_home at a folder of its own would
 * have `publish --sign` run the repository's program as the publisher: signing takes gpg_home only from the
 * global config or $GNUPGHOME (signing-instance.ts signingGpgHome).
 */
describe('aam-trust publish --sign with GnuPG: gpg_home comes from the global config', () => {
  it("refuses a project's own GnuPG home before gpg runs, naming it, and runs nothing of it", async () => {
    const w = await makeWorld();
    const evil = join(w.project, 'evil-gnupg');
    await mkdir(evil, { recursive: true, mode: 0o700 });
    const { publicKey } = await generateKey({ userIDs: [{ email: 'me@example.com' }], format: 'armored' });
    await writeFile(join(w.root, 'me.pub'), publicKey);
    // A public key in the keyring: gpg asks its agent whether the secret key is there.
    execFileSync('gpg', ['--batch', '--homedir', evil, '--import', join(w.root, 'me.pub')], { stdio: 'ignore' });
    // No agent left running from the import: the next gpg starts one, the program gpg.conf names.
    execFileSync('gpgconf', ['--homedir', evil, '--kill', 'gpg-agent'], { stdio: 'ignore' });
    const marker = join(w.root, 'ran');
    const program = join(w.project, 'agent.sh');
    await writeFile(program, `#!/bin/sh\necho ran > '${marker}'\nexit 1\n`);
    await chmod(program, 0o755);
    await writeFile(join(evil, 'gpg.conf'), `agent-program ${program}\n`);
    await w.writeProjectConfig(`security:\n  gpg_home: ../evil-gnupg\n  gpg_key: me@example.com\n`);
    const run = await cli(['publish', await w.makePackage('greet', '1.0.0'), '--sign', '--signing-method', 'gpg'], {
      cwd: w.project,
      home: w.home,
      env: { AAM_GPG_PASSPHRASE: '' },
    });
    try {
      execFileSync('gpgconf', ['--homedir', evil, '--kill', 'gpg-agent'], { stdio: 'ignore' });
    } catch {}
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.equal(existsSync(marker), false, "gpg ran the repository's agent-program");
    assert.match(run.stderr, /sets security\.gpg_home to .*evil-gnupg/);
    assert.match(run.stderr, /\(CONFIG_INVALID\)/);
    assert.equal(await w.registry.metadata('greet'), undefined, 'nothing published');
  });
});
