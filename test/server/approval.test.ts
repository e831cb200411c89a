import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../../src/core/archive/hash.ts';
import { approvalDocument } from '../../src/core/registry/approval.ts';
import { signBytes } from '../../src/core/workflows/publish.ts';
import { staticToken } from '../../src/core/sigstore/identity/providers.ts';
import type { RunningRegistry } from '../../src/server/serve.ts';
import { makeGpgHome } from '../helpers/gpg.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * Approvals (publish_policy.require_approval): a new version is pending until
 * one of the registry's approvers signs an approval; installs refuse pending
 * and rejected versions with that reason; the registry refuses an approval
 * signed by anyone else, and a client that requires approval checks the
 * signatures itself, so a registry that claims "approved" proves nothing.
 */
describe('approvals on an HTTP registry', () => {
  const local = useLocalSigstore();
  let registry: TestRegistry;
  let server: RunningRegistry;
  let root: string;
  let publishToken: string;
  let approverToken: string;
  let gpg: Awaited<ReturnType<typeof makeGpgHome>>;
  let leadKey: string;
  const env = () => ({ AAM_REGISTRY_TOKEN: approverToken, AAM_GPG_PASSPHRASE: '' });
  const run = (args: string[]) => registry.run(args, env());
  const client = () => registry.client(approverToken);
  const writeConfig = (publishPolicy: string) =>
    registry.writeConfig(
      `security:\n  sigstore_endpoint: ${local.instance().url}\n  sigstore_trusted_root: ${join(root, 'trusted_root.json')}\n  gpg_home: ${gpg.home}\n${publishPolicy}`,
    );
  const publish = async (name: string, version: string) =>
    registry.client(publishToken).publish(await packPackage(name, version), []);
  const status = async (version: string) => (await client().apiVersion('@acme/tool', version))?.approval_status;
  /** An approval document for `version`, signed with Sigstore by `email` (not sent anywhere). */
  const signedBy = async (
    email: string,
    version: string,
    status: 'approved' | 'rejected' = 'approved',
    at = new Date(),
  ) => {
    const archive = await client().readArchive('@acme/tool', version);
    const document = approvalDocument({
      registry: 'corp',
      package: '@acme/tool',
      version,
      sha256: sha256Hex(archive),
      status,
      comment: '',
      at: at.toISOString(),
    });
    const signature = await signBytes(document, {
      method: 'sigstore',
      endpoints: local.endpoints(),
      identityProvider: staticToken(local.instance().mintToken(email)),
    });
    return { document, signature: signature.bytes };
  };

  before(async () => {
    root = await tempDir('aam-approval-');
    await writeFile(join(root, 'trusted_root.json'), JSON.stringify(local.instance().trustedRoot()));
    gpg = await makeGpgHome([{ uid: 'Lead <lead-gpg@example.com>', algo: 'ed25519' }]);
    leadKey = gpg.fingerprints['Lead <lead-gpg@example.com>']!;
    registry = await startTestRegistry({
      name: 'corp',
      trustedRoot: join(root, 'trusted_root.json'),
      requireApproval: true,
      approvers: ['lead@example.com', leadKey],
    });
    server = registry.server;
    publishToken = await registry.token('alice', ['publish']);
    approverToken = await registry.token('lead', ['publish']);
    await publish('@acme/tool', '1.0.0');
    await publish('@acme/tool', '1.1.0');
    await writeConfig('');
  });
  after(async () => registry?.close());

  it('keeps a new version pending: not latest, and not installable, with that reason', async () => {
    assert.equal(await status('1.0.0'), 'pending');
    const metadata = (await client().metadata('@acme/tool'))!;
    assert.equal(metadata.dist_tags.latest, undefined);
    const exact = await run(['install', '@acme/tool@1.0.0', '--no-deploy']);
    assert.equal(exact.code, 1);
    assert.match(exact.stderr, /@acme\/tool@1\.0\.0 is waiting for approval on registry "corp"/);
    assert.match(exact.stderr, /aam-trust approve/);
    const latest = await run(['install', '@acme/tool', '--no-deploy']);
    assert.equal(latest.code, 1);
    assert.match(latest.stderr, /@acme\/tool@1\.1\.0 is waiting for approval/);
    // Nor can its publisher point a tag at it.
    const tagged = await fetch(`${server.url}/api/v1/packages/@acme/tool/tags/latest`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${publishToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: '1.0.0' }),
    });
    assert.equal(tagged.status, 409);
    assert.match(((await tagged.json()) as { message: string }).message, /waiting for approval: it cannot be tagged/);
  });

  it('refuses to start with an approver that can match no one', async () => {
    await assert.rejects(
      startTestRegistry({ approvers: ['lead at example.com'] }),
      /An approver would match no one: "lead at example\.com" contains non-ASCII or control characters/,
    );
  });

  it('refuses an approval signed by someone who is not an approver', async () => {
    const refused = await run([
      'approve',
      '@acme/tool@1.0.0',
      '--identity-token',
      local.instance().mintToken('mallory@evil.example'),
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /signed by mallory@evil\.example.*not one of the registry's approvers/);
    assert.equal(await status('1.0.0'), 'pending');
  });

  it('signs no approval when the registry serves another archive than the one reviewed (--checksum)', async () => {
    const other = await run([
      'approve',
      '@acme/tool@1.0.0',
      '--checksum',
      `sha256:${'0'.repeat(64)}`,
      '--identity-token',
      local.instance().mintToken('lead@example.com'),
    ]);
    assert.equal(other.code, 1);
    assert.match(
      other.stderr,
      /now serves @acme\/tool@1\.0\.0 with SHA-256 [0-9a-f]{64}, not the archive you were shown/,
    );
    const malformed = await run(['reject', '@acme/tool@1.0.0', '--reason', 'No', '--checksum', 'sha256:abc']);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /--checksum takes sha256: and 64 hex digits, not "sha256:abc"/);
    assert.equal(await status('1.0.0'), 'pending');
  });

  it('refuses an approval document about another version or other bytes', async () => {
    const forOther = await signedBy('lead@example.com', '1.1.0');
    await assert.rejects(
      client().approve('@acme/tool', '1.0.0', { ...forOther, signatureType: 'sigstore' }),
      /must name registry "corp", @acme\/tool@1\.0\.0, its archive's SHA-256/,
    );
    assert.equal(await status('1.0.0'), 'pending');
  });

  it("an approver's signed approval makes the version installable, and is an audit event", async () => {
    const approved = await run([
      'approve',
      '@acme/tool@1.0.0',
      '--comment',
      'Reviewed',
      '--identity-token',
      local.instance().mintToken('lead@example.com'),
    ]);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /✓ Approved @acme\/tool@1\.0\.0 on corp, signed by lead@example\.com/);
    assert.equal(await status('1.0.0'), 'approved');
    assert.equal((await client().metadata('@acme/tool'))!.dist_tags.latest, '1.0.0');
    // This client checks the approval's signature and signer itself.
    await writeConfig(`  publish_policy:\n    require_approval: true\n    approvers: [lead@example.com]\n`);
    const installed = await run(['install', '@acme/tool', '--no-deploy']);
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(installed.stdout, /@acme\/tool@1\.0\.0/);
    const audit = await run(['audit', '@acme/tool']);
    assert.equal(audit.code, 0, audit.stderr);
    assert.match(audit.stdout, /lead\s+version\.approve\s+1\.0\.0\s+\(signer: lead@example\.com .*comment: Reviewed\)/);
  });

  it('a rejection (signed with OpenPGP) is refused at install with its reason', async () => {
    const rejected = await run([
      'reject',
      '@acme/tool@1.1.0',
      '--reason',
      'Calls an unknown host',
      '--signing-method',
      'gpg',
      '--gpg-key',
      'lead-gpg@example.com',
    ]);
    assert.equal(rejected.code, 0, rejected.stderr);
    assert.equal(await status('1.1.0'), 'rejected');
    const refused = await run(['install', '@acme/tool@1.1.0', '--no-deploy']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /@acme\/tool@1\.1\.0 was rejected by an approver of registry "corp"/);
    assert.equal((await run(['reject', '@acme/tool@1.1.0'])).code, 2);
    // An approval signed before the rejection, sent afterwards (by anyone with a token), does not undo it.
    const earlier = await signedBy('lead@example.com', '1.1.0', 'approved', new Date(Date.now() - 3_600_000));
    await assert.rejects(
      client().approve('@acme/tool', '1.1.0', { ...earlier, signatureType: 'sigstore' }),
      /A later decision \(rejected, signed .*\) was already sent with this token/,
    );
    const otherToken = await registry.token('someone', ['publish']);
    const replayed = await registry
      .client(otherToken)
      .approve('@acme/tool', '1.1.0', { ...earlier, signatureType: 'sigstore' });
    assert.equal(replayed.approval_status, 'rejected');
    assert.equal(await status('1.1.0'), 'rejected');
    // Nor can a decision be dated ahead to outlast later ones.
    const ahead = await signedBy('lead@example.com', '1.1.0', 'approved', new Date(Date.now() + 86_400_000));
    await assert.rejects(
      client().approve('@acme/tool', '1.1.0', { ...ahead, signatureType: 'sigstore' }),
      /dated in the future/,
    );
  });

  it("a client that requires approval is not fooled by a registry's claim, or by another signer's approval", async () => {
    // The registry (or whoever controls its database) marks 1.1.0 approved, with an approval signed by Mallory.
    const forged = await signedBy('mallory@evil.example', '1.1.0');
    await server.db.query(
      `UPDATE approvals SET status = 'approved', document = $1, signature = $2, signature_type = 'sigstore', public_key = NULL
        WHERE version_id = (SELECT v.id FROM package_versions v JOIN packages p ON p.id = v.package_id WHERE p.name = 'tool' AND v.version = '1.1.0')`,
      [forged.document, forged.signature],
    );
    await server.db.query(`UPDATE package_versions SET approval_status = 'approved' WHERE version = '1.1.0'`);
    await writeConfig(
      `  publish_policy:\n    require_approval: true\n    approvers: [lead@example.com, "${leadKey}"]\n`,
    );
    const refused = await run(['install', '@acme/tool@1.1.0', '--no-deploy']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Not approved:\n@acme\/tool@1\.1\.0: no approval signed by one of your approvers/);
    assert.match(refused.stderr, /mallory@evil\.example \(issuer [^)]*\) is not one of your approvers/);
    // Lead's approval of 1.0.0 replayed as an approval of 1.1.0.
    const replayed = await signedBy('lead@example.com', '1.0.0');
    await server.db.query(`UPDATE approvals SET document = $1, signature = $2`, [
      replayed.document,
      replayed.signature,
    ]);
    const again = await run(['install', '@acme/tool@1.1.0', '--no-deploy']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /an approval by lead is about something else/);
    // Without require_approval in its own policy, the client goes by what the registry says.
    await writeConfig('');
    assert.equal((await run(['install', '@acme/tool@1.1.0', '--no-deploy'])).code, 0);
  });

  it('a version rejected after it was tagged loses its tags, each an entry in the log', async () => {
    // registry2-review F3: only "latest" moved; another tag kept leading to a version no install may pick.
    await publish('@acme/tool', '1.3.0');
    const approval = await signedBy('lead@example.com', '1.3.0', 'approved', new Date(Date.now() - 60_000));
    await client().approve('@acme/tool', '1.3.0', { ...approval, signatureType: 'sigstore' });
    const tag = await fetch(`${registry.url}/api/v1/packages/@acme/tool/tags/stable`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${publishToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: '1.3.0' }),
    });
    assert.equal(tag.status, 200);
    const rejection = await signedBy('lead@example.com', '1.3.0', 'rejected');
    await client().approve('@acme/tool', '1.3.0', { ...rejection, signatureType: 'sigstore' });
    assert.equal(await status('1.3.0'), 'rejected');
    const tags = (await (await fetch(`${registry.url}/api/v1/packages/@acme/tool/tags`)).json()) as {
      tags: Record<string, string>;
    };
    assert.equal(tags.tags.stable, undefined, JSON.stringify(tags));
    const log = (await (await fetch(`${registry.url}/api/v1/audit-log?package=@acme/tool&limit=200`)).json()) as {
      entries: { event: string; version: string | null; metadata: { tag?: string } }[];
    };
    assert.deepEqual(
      log.entries.slice(-2).map((e) => [e.event, e.version, e.metadata.tag ?? null]),
      [
        ['version.reject', '1.3.0', null],
        ['tag.remove', '1.3.0', 'stable'],
      ],
    );
  });
});
