import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { cli } from '../helpers/cli.ts';
import { signedWorld } from '../helpers/signed-world.ts';
import type { SignedWorld } from '../helpers/signed-world.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';

describe('aam-trust policy level', () => {
  const local = useLocalSigstore();
  let w: SignedWorld;
  const globalFile = () => join(w.home, '.aam', 'config.yaml');
  const run = (...args: string[]) => cli(['policy', 'level', ...args], { cwd: w.project, home: w.home });

  before(async () => {
    w = await signedWorld(local.instance(), 'trusted_identities: ["*@example.com"] # our team');
    await w.publish('signed', '1.0.0', 'alice@example.com');
    await w.publish('plain', '1.0.0', undefined);
    await installPackages(['signed', 'plain'], { ...(await w.services()), registry: w.registry });
  });

  it('without a level: the level in effect, and the keys of each', async () => {
    const shown = await run();
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^Trust level in effect for .*: Moderate$/m);
    assert.match(
      shown.stdout,
      /strict {4}Required signatures and trusted identities \(production, corporate\)\n {12}require_signature: true, on_signature_failure: error, verify_transparency_log: true, on_signer_change: error, require_registry_attestation: false, hidden_content: error/,
    );
  });

  it('with a level: exactly the keys it sets and the what-if on the installed packages, and nothing written', async () => {
    const before = await readFile(globalFile(), 'utf8');
    const plan = await run('strict');
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^Strict — Required signatures and trusted identities/);
    assert.match(
      plan.stdout,
      /Sets in .*\.aam\/config\.yaml:\n {2}require_signature: true +\(now false\)\n {2}on_signature_failure: error +\(now warn\)/,
    );
    assert.match(
      plan.stdout,
      /If applied, in .*: 1 package would fail: plain\n {2}✗ plain@1\.0\.0: unsigned \(pass\) → unsigned \(fail\)\n/,
    );
    assert.doesNotMatch(plan.stdout, /signed@1\.0\.0/, 'a package whose verdict stays is not listed');
    assert.match(plan.stdout, /Nothing written: run again with --yes to apply\./);
    assert.equal(await readFile(globalFile(), 'utf8'), before);
  });

  it('--yes writes only those keys, keeping comments; the level is then in effect', async () => {
    const applied = await run('strict', '--yes');
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /✓ Strict set in .*config\.yaml \(comments and other keys kept\)/);
    const text = await readFile(globalFile(), 'utf8');
    assert.match(text, /trusted_identities: \["\*@example\.com"\] # our team/);
    assert.match(
      text,
      /require_signature: true\n {2}on_signature_failure: error\n {2}verify_transparency_log: true\n {2}on_signer_change: error\n {2}require_registry_attestation: false\n {2}hidden_content: error\n$/,
    );
    assert.match((await run()).stdout, /: Strict$/m);
    const verified = await cli(['verify'], { cwd: w.project, home: w.home });
    assert.equal(verified.code, 1, 'plain now fails, as the what-if said');
  });

  it('a project setting that overrides the level makes it custom, with the nearest level, and --json says the same', async () => {
    await w.writeProjectConfig('security:\n  on_signature_failure: warn # project override\n');
    const shown = await run();
    assert.match(
      shown.stdout,
      /: custom \(nearest: Moderate; require_signature is true, not false, hidden_content is error, not warn\)/,
    );
    const json = JSON.parse((await run('maximum', '--in', 'project', '--json')).stdout);
    assert.equal(json.level, 'maximum');
    assert.equal(json.written, false);
    assert.match(json.file, /project\/\.aam\/config\.yaml$/);
    assert.deepEqual(
      json.keys.filter((k: { changes: boolean }) => k.changes).map((k: { key: string }) => k.key),
      [
        'require_signature',
        'on_signature_failure',
        'verify_transparency_log',
        'on_signer_change',
        'require_registry_attestation',
        'trust_registry_attestations',
        'hidden_content',
      ],
    );
    assert.match(json.unmet.join('\n'), /Maximum is incomplete: .*trusted_registries is empty/);
    // Nothing is attested by a file registry: under Maximum both would fail, each for that reason.
    assert.deepEqual(
      json.what_if.changes.map(
        (c: { name: string; after: string; outcome_after: string }) => `${c.name}:${c.after}/${c.outcome_after}`,
      ),
      ['plain:unattested/fail', 'signed:unattested/fail'],
    );
  });

  it('says when a level needs trust lists it does not write', async () => {
    await w.writeProjectConfig('security:\n  trusted_identities: []\n');
    const plan = await run('strict', '--in', 'project');
    assert.match(
      plan.stdout,
      /⚠ Strict is incomplete: it requires trusted signers, and trusted_identities and trusted_keys are empty/,
    );
  });

  it('a policy with errors is at no level it claims: it says so and exits 1, as verify refuses it', async () => {
    await w.writeProjectConfig('security:\n  require_signature: error\n  on_signature_failure: [error]\n');
    try {
      const shown = await run();
      assert.equal(shown.code, 1);
      assert.match(shown.stdout, /✗ The policy has errors, so verification refuses it/);
      assert.match(shown.stdout, /security\.require_signature must be a boolean/);
      assert.doesNotMatch(shown.stdout, /nearest: (Strict|Maximum)/);
      const json = JSON.parse((await run('--json')).stdout) as { errors: string[] };
      assert.equal(json.errors.length, 2);
    } finally {
      await w.writeProjectConfig('');
    }
  });

  it('an unknown level is a usage error (exit 2)', async () => {
    assert.equal((await run('paranoid')).code, 2);
  });
});
