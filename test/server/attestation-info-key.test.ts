import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

interface JsonInfo {
  verdict: { status: string; action: string; code: string; message: string };
  attestation: { state: string; reason?: string; keyId?: string };
  findings: { code: string; action: string; message: string }[];
}

/**
 * `aam-trust info NAME@VERSION` judges a version as install would, so it
 * checks an attestation only with the key the user pinned (`key_id` in the
 * registry's config entry, else the one recorded): a registry that now signs
 * with another key (compromised, or another server at its URL) is refused by
 * install, and info must not call its package attested either.
 */
describe('info and the configured registry key', () => {
  let registry: TestRegistry;
  let genuineKeyId: string;
  const MAXIMUM =
    'security:\n  require_signature: true\n  on_signature_failure: error\n  trust_registry_attestations: true\n  trusted_registries: [team]\n  require_registry_attestation: true\n';
  const info = async (spec: string) => {
    const run = await cli(['info', spec, '--json'], { cwd: registry.project, home: registry.home });
    return { code: run.code, stderr: run.stderr, info: JSON.parse(run.stdout) as JsonInfo };
  };

  before(async () => {
    registry = await startTestRegistry({ name: 'team' });
    genuineKeyId = (await registry.client().identity()).key_id;
    const token = await registry.token('alice', ['publish']);
    await registry.client(token).publish(await packPackage('@acme/genuine', '1.0.0'), []);
    await registry.writeConfig(`    key_id: ${genuineKeyId}\n${MAXIMUM}`);
  });
  after(async () => registry?.close());

  it('control: under the configured key, the registry attests its package', async () => {
    const { code, stderr, info: shown } = await info('@acme/genuine@1.0.0');
    assert.equal(code, 0, stderr);
    assert.deepEqual([shown.verdict.status, shown.verdict.code], ['verified', 'ATTESTED']);
    assert.equal(shown.attestation.keyId, genuineKeyId);
  });

  describe('when the registry signs with another key than the configured one', () => {
    let servedKeyId: string;
    before(async () => {
      await registry.restart({ keyFile: join(registry.root, 'other-key.pem') });
      servedKeyId = (await registry.client().identity()).key_id;
      assert.notEqual(servedKeyId, genuineKeyId);
      const token = await registry.token('alice', ['publish']);
      await registry.client(token).publish(await packPackage('@acme/plain', '1.0.0'), []);
    });

    it('install refuses it', async () => {
      const run = await cli(['install', '@acme/plain', '--no-deploy'], { cwd: registry.project, home: registry.home });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /cannot be trusted/);
    });

    it('info finds no trusted attestation, names both keys, and fails', async () => {
      const { code, info: shown } = await info('@acme/plain@1.0.0');
      assert.equal(code, 1);
      assert.deepEqual(
        [shown.verdict.status, shown.verdict.action, shown.verdict.code],
        ['unattested', 'fail', 'ATTESTATION_REQUIRED'],
      );
      assert.equal(shown.attestation.state, 'invalid');
      const keys = new RegExp(`${servedKeyId.slice(0, 16)}…, not ${genuineKeyId.slice(0, 16)}… \\(configured\\)`);
      assert.match(shown.verdict.message, keys);
      assert.ok(
        shown.findings.some((f) => f.code === 'REGISTRY_LOG' && f.action === 'fail' && keys.test(f.message)),
        JSON.stringify(shown.findings),
      );
    });

    it("info does not call the package it attested before attested under the registry's new key", async () => {
      const { code, info: shown } = await info('@acme/genuine@1.0.0');
      assert.equal(code, 1);
      assert.equal(shown.verdict.code, 'ATTESTATION_REQUIRED');
    });
  });
});
