import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { installPackages } from '../../src/core/workflows/install/install.ts';
import { cli } from '../helpers/cli.ts';
import { signedWorld } from '../helpers/signed-world.ts';
import type { SignedWorld } from '../helpers/signed-world.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';

/** The YAML the preview shows, without its two-space indent. */
function shownYaml(stdout: string): Record<string, unknown[]> {
  const block = /:\n\n((?: {2}.*\n)+)\n/.exec(stdout)?.[1];
  assert.ok(block, `no preview in:\n${stdout}`);
  return (parse(block.replace(/^ {2}/gm, '')) as { security: Record<string, unknown[]> }).security;
}

/** The state of one installed package, from `verify --json`. */
async function verdictOf(w: SignedWorld, name: string): Promise<{ status: string; code: string }> {
  const run = await cli(['verify', '--no-cache', '--json'], { cwd: w.project, home: w.home });
  return JSON.parse(run.stdout).packages.find((p: { name: string }) => p.name === name);
}

describe('aam-trust trust NAME: the confirmation shows everything it writes', () => {
  const local = useLocalSigstore();
  let w: SignedWorld;
  let configFile: string;
  let issuer: string;
  const run = (...args: string[]) =>
    cli(['trust', 'partner-tool', '--in', 'global', ...args], { cwd: w.project, home: w.home });

  before(async () => {
    w = await signedWorld(local.instance(), '');
    await w.publish('partner-tool', '1.0.0', 'bob@partner.io');
    await w.publish('team-tool', '1.0.0', 'carol@example.com');
    await installPackages(['partner-tool', 'team-tool'], { ...(await w.services()), registry: w.registry });
    configFile = join(w.home, '.aam', 'config.yaml');
    issuer = `${local.instance().url}/oidc`;
  });

  it("when allowed_issuers lacks the signer's issuer: shows it added and names the entries that opens, writing nothing", async () => {
    await w.policy(
      'on_signature_failure: error\nallowed_issuers: ["https://accounts.google.com"]\ntrusted_identities: ["*@example.com"]',
    );
    assert.equal((await verdictOf(w, 'team-tool')).code, 'ISSUER_NOT_ALLOWED');
    const before = await readFile(configFile, 'utf8');
    const preview = await run();
    assert.equal(preview.code, 0, preview.stderr);
    assert.deepEqual(shownYaml(preview.stdout), {
      trusted_identities: [{ identity: 'bob@partner.io', issuer }],
      allowed_issuers: [issuer],
    });
    assert.ok(
      preview.stdout.includes(
        `⚠ This also adds ${issuer} to allowed_issuers, which every trusted identity is checked against. These entries then accept certificates from ${issuer} as well, not only this signer:\n  - *@example.com\n`,
      ),
      preview.stdout,
    );
    assert.match(preview.stdout, /Nothing written: run again with --yes to add it\.\n$/);
    assert.equal(await readFile(configFile, 'utf8'), before);
  });

  it('with --yes writes exactly the lists shown, and what the note said follows', async () => {
    const shown = shownYaml((await run()).stdout);
    const before = (parse(await readFile(configFile, 'utf8')) as { security: Record<string, unknown[]> }).security;
    const write = await run('--yes');
    assert.equal(write.code, 0, write.stderr);
    assert.match(write.stdout, /✓ Added to .*config\.yaml\n$/);
    const after = (parse(await readFile(configFile, 'utf8')) as { security: Record<string, unknown[]> }).security;
    for (const key of ['trusted_identities', 'allowed_issuers'])
      assert.deepEqual(after[key], [...(before[key] ?? []), ...(shown[key] ?? [])], key);
    assert.equal((await verdictOf(w, 'partner-tool')).status, 'verified');
    // The widening the note named: carol passes through "*@example.com" now that the issuer is allowed.
    assert.equal((await verdictOf(w, 'team-tool')).status, 'verified');
  });

  it('with any issuer allowed: shows only the entry, with no note', async () => {
    await w.policy('on_signature_failure: error\ntrusted_identities: ["*@example.com"]');
    const preview = await run();
    assert.equal(preview.code, 0, preview.stderr);
    assert.deepEqual(shownYaml(preview.stdout), { trusted_identities: [{ identity: 'bob@partner.io', issuer }] });
    assert.doesNotMatch(preview.stdout, /allowed_issuers|⚠/);
  });
});
