import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGpg } from '../../src/core/openpgp/gnupg.ts';
import { readTrustRecord } from '../../src/core/record/trust-record.ts';
import { aamOk } from '../helpers/aam.ts';
import { cli } from '../helpers/cli.ts';
import { makeGpgHome } from '../helpers/gpg.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { makeWorld } from '../helpers/workspace.ts';

/**
 * Signer continuity (trust on first use): the trust record remembers who
 * signed each package; a later state that loses the signature, changes the
 * signer or lowers the version fails until accepted — also when the real aam
 * installed it and rewrote the lock file.
 */
describe('signer continuity', () => {
  const local = useLocalSigstore();

  async function world(extraSecurity = '') {
    const w = await makeWorld();
    const root = join(w.home, '.aam', 'trusted_root.json');
    await writeFile(root, JSON.stringify(local.instance().trustedRoot()));
    await w.writeGlobalConfig(
      `sigstore_endpoint: ${local.instance().url}\nsigstore_trusted_root: ${root}\n${extraSecurity}`,
    );
    const trust = (...args: string[]) => cli(args, { cwd: w.project, home: w.home, env: { GNUPGHOME: gnupg ?? '' } });
    let gnupg: string | undefined;
    const publish = async (name: string, version: string, signer?: string | { gpgKey: string; home: string }) => {
      const dir = await w.makePackage(name, version);
      if (typeof signer === 'object') gnupg = signer.home;
      const sign =
        signer === undefined
          ? []
          : typeof signer === 'string'
            ? ['--sign', '--identity-token', local.instance().mintToken(signer)]
            : ['--sign', '--signing-method', 'gpg', '--gpg-key', signer.gpgKey];
      const run = await trust('publish', dir, ...sign);
      assert.equal(run.code, 0, run.stderr);
    };
    const record = async (name: string) =>
      (await readTrustRecord(join(w.project, '.aam', 'trust-record.yaml'))).packages[name];
    const verifyJson = async () => {
      const run = await trust('verify', '--json');
      return {
        code: run.code,
        packages: JSON.parse(run.stdout).packages as {
          name: string;
          status: string;
          outcome: string;
          findings: { code: string; action: string; message: string; expected: string; actual: string }[];
        }[],
      };
    };
    const aam = (...args: string[]) => aamOk(args, { cwd: w.project, home: w.home });
    return { w, trust, publish, record, verifyJson, aam };
  }

  it('a new version signed by another Sigstore identity refuses the install; --accept-signer-change records it', async () => {
    const { trust, publish, record } = await world();
    await publish('@acme/tool', '1.0.0', 'alice@example.com');
    assert.equal((await trust('install', '@acme/tool')).code, 0);
    const first = await record('@acme/tool');
    assert.equal(first?.signature?.type === 'sigstore' ? first.signature.identity : '', 'alice@example.com');
    await publish('@acme/tool', '1.0.1', 'mallory@evil.io');
    const refused = await trust('install', '@acme/tool@1.0.1');
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /signer changed from alice@example\.com \(issuer .*, log entry \d+\) to mallory@evil\.io \(issuer .*, log entry \d+\)/,
    );
    const accepted = await trust('install', '@acme/tool@1.0.1', '--accept-signer-change');
    assert.equal(accepted.code, 0, accepted.stderr);
    const now = await record('@acme/tool');
    assert.equal(now?.version, '1.0.1');
    assert.equal(now?.signature?.type === 'sigstore' ? now.signature.identity : '', 'mallory@evil.io');
  });

  it("when aam installs a version by another signer over it, verify fails (signer changed) until accepted; the record survives aam's lock rewrite", async () => {
    const { w, trust, publish, verifyJson, aam } = await world();
    await publish('@acme/tool', '1.0.0', 'alice@example.com');
    assert.equal((await trust('install', '@acme/tool')).code, 0);
    await publish('@acme/tool', '1.1.0', 'mallory@evil.io');
    await aam('install', '@acme/tool@1.1.0', '--force');
    assert.doesNotMatch(await readFile(join(w.project, '.aam', 'aam-lock.yaml'), 'utf8'), /signature:/);
    const changed = await verifyJson();
    assert.equal(changed.code, 1);
    const finding = changed.packages[0]!.findings[0]!;
    assert.deepEqual([finding.code, finding.action], ['SIGNER_CHANGED', 'fail']);
    assert.match(finding.expected, /^alice@example\.com/);
    assert.match(finding.actual, /^mallory@evil\.io/);
    // Verification does not learn a change by itself: it keeps failing.
    assert.equal((await verifyJson()).code, 1);
    const accept = await trust('accept', '@acme/tool');
    assert.equal(accept.code, 0, accept.stderr);
    assert.deepEqual(
      (await verifyJson()).packages.map((p) => [p.status, p.findings.length]),
      [['signed-no-policy', 0]],
    );
  });

  it('on_signer_change: warn reports the change and passes', async () => {
    const { trust, publish, verifyJson, aam } = await world('on_signer_change: warn');
    await publish('tool', '1.0.0', 'alice@example.com');
    assert.equal((await trust('install', 'tool')).code, 0);
    await publish('tool', '1.0.1', 'bob@example.com');
    await aam('install', 'tool@1.0.1', '--force');
    const warned = await verifyJson();
    assert.equal(warned.code, 0);
    assert.deepEqual(
      warned.packages[0]!.findings.map((f) => `${f.code}/${f.action}`),
      ['SIGNER_CHANGED/warn'],
    );
  });

  it('a package that was signed and is now unsigned fails (signature removed), whatever require_signature says', async () => {
    const { trust, publish, verifyJson, aam } = await world('require_signature: false');
    await publish('tool', '1.0.0', 'alice@example.com');
    assert.equal((await trust('install', 'tool')).code, 0);
    await publish('tool', '1.0.1');
    await aam('install', 'tool@1.0.1', '--force');
    const removed = await verifyJson();
    assert.equal(removed.code, 1);
    assert.deepEqual(
      removed.packages[0]!.findings.map((f) => `${f.code}/${f.action}`),
      ['SIGNATURE_REMOVED/fail'],
    );
    assert.equal(removed.packages[0]!.status, 'unsigned');
  });

  it('a version lower than the recorded one fails (downgrade) until accepted', async () => {
    const { trust, publish, verifyJson, aam } = await world();
    await publish('tool', '1.0.0', 'alice@example.com');
    await publish('tool', '2.0.0', 'alice@example.com');
    assert.equal((await trust('install', 'tool@2.0.0')).code, 0);
    await aam('install', 'tool@1.0.0', '--force');
    const down = await verifyJson();
    assert.equal(down.code, 1);
    assert.deepEqual(
      down.packages[0]!.findings.map((f) => `${f.code}/${f.actual}`),
      ['DOWNGRADE/1.0.0'],
    );
    assert.equal((await trust('accept', 'tool')).code, 0);
    assert.equal((await verifyJson()).code, 0);
  });

  it('records on first use what aam installed, and a new version by the same signer without a finding', async () => {
    const { trust, publish, record, verifyJson, aam } = await world();
    await publish('tool', '1.0.0', 'alice@example.com');
    await aam('install', 'tool');
    assert.equal(await record('tool'), undefined);
    assert.equal((await verifyJson()).code, 0);
    assert.equal((await record('tool'))?.version, '1.0.0', 'trust on first use');
    assert.deepEqual((await record('tool'))?.platforms, ['cursor']);
    await publish('tool', '1.1.0', 'alice@example.com');
    await aam('install', 'tool@1.1.0', '--force');
    assert.deepEqual((await verifyJson()).packages[0]!.findings, []);
    assert.equal((await record('tool'))?.version, '1.1.0');
    // Restricted runs (CI on an untrusted change) never teach the record.
    await publish('other', '1.0.0', 'alice@example.com');
    await aam('install', 'other');
    assert.equal((await trust('verify', '--restricted')).code, 0);
    assert.equal(await record('other'), undefined);
  });

  it('OpenPGP: another key is a signer change; a new signing subkey of the same primary key is not', async () => {
    const { home, fingerprints } = await makeGpgHome([
      { uid: 'Release <release@example.com>', algo: 'ed25519' },
      { uid: 'Other <other@example.com>', algo: 'ed25519' },
    ]);
    const primary = fingerprints['Release <release@example.com>']!;
    const { trust, publish, verifyJson, aam, w } = await world(`gpg_home: ${home}`);
    await publish('pgp', '1.0.0', { gpgKey: 'release@example.com', home });
    assert.equal((await trust('install', 'pgp')).code, 0);
    // A signing subkey added to the same primary key: the next version is signed by it.
    assert.equal(
      (
        await runGpg(
          ['--pinentry-mode', 'loopback', '--passphrase', '', '--quick-add-key', primary, 'ed25519', 'sign', 'never'],
          { gpgHome: home },
        )
      ).code,
      0,
    );
    await publish('pgp', '1.1.0', { gpgKey: 'release@example.com', home });
    const signature = await readFile(join(w.registryDir, 'packages', 'pgp', 'versions', '1.1.0.aam.asc'), 'utf8');
    const packets = await runGpg(['--list-packets'], { gpgHome: home, input: signature });
    assert.doesNotMatch(
      packets.stdout.toString(),
      new RegExp(`keyid ${primary.slice(-16)}`, 'i'),
      'signed by the subkey, not the primary key',
    );
    await aam('install', 'pgp@1.1.0', '--force');
    assert.deepEqual((await verifyJson()).packages[0]!.findings, []);
    await publish('pgp', '1.2.0', { gpgKey: 'other@example.com', home });
    await aam('install', 'pgp@1.2.0', '--force');
    const changed = await verifyJson();
    assert.deepEqual(
      changed.packages[0]!.findings.map((f) => f.code),
      ['SIGNER_CHANGED'],
    );
    assert.match(changed.packages[0]!.findings[0]!.expected, new RegExp(primary));
  });
});
