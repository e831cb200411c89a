import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { copyBase } from '../helpers/installed-rich.ts';
import { cli } from '../helpers/cli.ts';
import { signedWorld } from '../helpers/signed-world.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';

/**
 * `aam-trust diff --restricted` judges the head with only what the project tightens. The base's verdicts were
 * judged under the head's whole policy, the pull request's own: a pull request trusting only its author made
 * every unchanged package read "signed, untrusted → verified" (newuser-review 5), and could make a base look
 * failing, so that a package it breaks introduced nothing. Both sides are judged under one policy now.
 */
describe('aam-trust diff --restricted: the base judged under the policy the head is', () => {
  const local = useLocalSigstore();

  it("a pull request's own trust list changes neither side's verdict", async () => {
    const w = await signedWorld(local.instance(), 'trusted_identities: ["alice@example.com"]');
    await w.publish('good', '1.0.0', 'alice@example.com');
    await installPackages(['good@1.0.0'], { ...(await w.services()), registry: w.registry, platforms: [] });
    const base = await copyBase(w);
    await w.writeProjectConfig('security:\n  trusted_identities: ["mallory@evil.example"]\n');

    const run = await cli(['diff', base, '--restricted', '--json'], { cwd: w.project, home: w.home });
    const diff = JSON.parse(run.stdout);
    const good = diff.packages.find((p: { name: string }) => p.name === 'good');
    assert.equal(good.before.status, 'verified', JSON.stringify(good));
    assert.equal(good.after.status, 'verified', JSON.stringify(good));
    // The policy change itself is still a reason: the pull request trusts someone the global policy does not.
    assert.equal(run.code, 1, run.stdout);
  });
});
