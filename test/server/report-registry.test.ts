import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../../src/core/archive/hash.ts';
import { approvalDocument } from '../../src/core/registry/approval.ts';
import { staticToken } from '../../src/core/sigstore/identity/providers.ts';
import { signBytes } from '../../src/core/workflows/publish.ts';
import { publishPrompt, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { tempDir } from '../helpers/temp.ts';

interface Row {
  name: string;
  version: string;
  status: string;
  method: string;
  signer?: string;
  attested?: boolean;
  approval?: string;
  yanked?: boolean;
  publishedBy?: string;
  compliant: boolean;
}

/**
 * The report over an HTTP registry: every package and version, signed or
 * not, by which method and signer, attested, approved, yanked, and who
 * published it — each signature and attestation checked by the client.
 */
describe('aam-trust report --registry (HTTP)', () => {
  const local = useLocalSigstore();
  let served: TestRegistry;
  let root: string;
  let aliceToken: string;
  let bobToken: string;
  const registry = (token: string) => served.client(token);
  const writeConfig = (security: string) =>
    served.writeConfig(
      `security:\n  sigstore_trusted_root: ${join(root, 'trusted_root.json')}\n  trusted_identities: ["*@example.com"]\n${security}`,
    );
  const publish = (token: string, name: string, version: string, signer?: string) =>
    publishPrompt(served, token, local, { name, version, signer });
  const approve = async (name: string, version: string) => {
    const archive = await registry(aliceToken).readArchive(name, version);
    const document = approvalDocument({
      registry: 'corp',
      package: name,
      version,
      sha256: sha256Hex(archive),
      status: 'approved',
      comment: '',
      at: new Date().toISOString(),
    });
    const signature = await signBytes(document, {
      method: 'sigstore',
      endpoints: local.endpoints(),
      identityProvider: staticToken(local.instance().mintToken('lead@example.com')),
    });
    await registry(aliceToken).approve(name, version, {
      document,
      signature: signature.bytes,
      signatureType: 'sigstore',
    });
  };
  const report = async (...args: string[]) => {
    const run = await served.run(['report', '--registry', 'corp', ...args]);
    return { ...run, rows: args.includes('--json') ? (JSON.parse(run.stdout).rows as Row[]) : [] };
  };

  before(async () => {
    root = await tempDir('aam-report-registry-');
    await writeFile(join(root, 'trusted_root.json'), JSON.stringify(local.instance().trustedRoot()));
    served = await startTestRegistry({
      name: 'corp',
      trustedRoot: join(root, 'trusted_root.json'),
      requireApproval: true,
      approvers: ['lead@example.com'],
    });
    // `admin`: she adds bob to her scope (managing owners, spec §6.2.2).
    aliceToken = await served.token('alice', ['publish', 'yank', 'admin']);
    bobToken = await served.token('bob', ['publish']);
    await writeConfig('');
    await publish(aliceToken, '@acme/tool', '1.0.0', 'alice@example.com');
    await publish(aliceToken, '@acme/tool', '1.1.0', 'alice@example.com');
    // @acme is alice's scope (its first publisher's): she lets bob publish in it.
    const member = await fetch(`${served.url}/api/v1/scopes/acme/members/bob`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${aliceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'member' }),
    });
    assert.equal(member.status, 200);
    await publish(bobToken, '@acme/notes', '1.0.0');
    await publish(bobToken, '@acme/other', '1.0.0', 'bob@partner.example');
    await approve('@acme/tool', '1.0.0');
    await approve('@acme/tool', '1.1.0');
    await approve('@acme/notes', '1.0.0');
    const yanked = await fetch(`${served.url}/api/v1/packages/@acme/tool/1.1.0`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${aliceToken}` },
    });
    assert.equal(yanked.status, 200);
  });
  after(async () => served?.close());

  it('lists every version: method and signer (verified here), attested, approval, yanked, who published', async () => {
    const { code, rows } = await report('--json');
    assert.equal(code, 0, 'under a policy of defaults (Moderate) unsigned passes and an untrusted signer warns');
    const shown = rows
      .map(
        (r) =>
          `${r.name}@${r.version} ${r.status} ${r.method} ${r.signer ?? '-'} attested=${r.attested} ${r.approval} yanked=${r.yanked} by=${r.publishedBy}`,
      )
      .sort();
    assert.deepEqual(shown, [
      '@acme/notes@1.0.0 unsigned none - attested=true approved yanked=false by=bob',
      '@acme/other@1.0.0 signed-untrusted sigstore bob@partner.example attested=true pending yanked=false by=bob',
      '@acme/tool@1.0.0 verified sigstore alice@example.com attested=true approved yanked=false by=alice',
      '@acme/tool@1.1.0 verified sigstore alice@example.com attested=true approved yanked=true by=alice',
    ]);
  });

  it("an attestation counts as the signing method only where the policy trusts the registry's attestations", async () => {
    await writeConfig('  require_signature: true\n  trust_registry_attestations: true\n  trusted_registries: [corp]\n');
    const { rows, code } = await report('--json');
    const notes = rows.find((r) => r.name === '@acme/notes')!;
    assert.deepEqual([notes.status, notes.method, notes.compliant], ['verified', 'registry attestation', true]);
    assert.equal(code, 0, 'bob is untrusted but warned (on_signature_failure: warn): everything is compliant');
    const table = await report();
    assert.match(
      table.stdout,
      /^Signing compliance: 4 versions of 3 packages in registry corp \(policy: custom \(nearest: Moderate; require_signature is true, not false\)\)/,
    );
    assert.match(table.stdout, /By method:\n {2}sigstore +3\n {2}registry attestation +1\n/);
    assert.match(table.stdout, /\nIn the registry: 4 attested, 3 approved, 1 pending, 1 yanked\n/);
  });

  it('a registry whose audit log no longer verifies is said at the top, and its attestations count for nothing', async () => {
    await writeConfig('');
    // This project remembers a longer log than the registry now serves: the log was rewritten.
    await writeFile(
      join(served.project, '.aam', 'trust-record.yaml'),
      `record_version: 1\npackages: {}\nregistries:\n  corp:\n    name: corp\n    key_id: ${(await registry(aliceToken).identity()).key_id}\n    public_key: ${JSON.stringify((await registry(aliceToken).identity()).public_key)}\n    audit_size: 999\n    audit_head: ${'a'.repeat(64)}\n    recorded_at: '2026-12-01T00:00:00.000Z'\n`,
    );
    const { stdout } = await report();
    assert.match(
      stdout,
      /⚠ The audit log of registry "corp" does not verify: the audit log of registry "corp" does not extend the one seen before/,
    );
    const { rows } = await report('--json');
    assert.ok(rows.every((r) => r.attested === false && r.publishedBy === undefined));
  });
});
