import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { delegateOf, delegateSigning, revokeDelegation } from '../../../../src/core/workflows/delegate.ts';
import { documentBytes, REVOCATION_TYPE, signedDocumentFile } from '../../../../src/core/signature/delegation-file.ts';
import { loadConfig } from '../../../../src/core/config/load.ts';
import { verifyWorkspace } from '../../../../src/core/verify/workspace.ts';
import { prepareOffline } from '../../../../src/core/workflows/prepare-offline.ts';
import { VerificationStore } from '../../../../src/core/verify/store/result-store.ts';
import { useLocalSigstore } from '../../../helpers/sigstore.ts';
import { signersWorld, statusOf } from '../../../helpers/signers.ts';

/**
 * spec3-review A: revocations were read only from the registry a lock entry names and from this machine's
 * cache, so a pull request that added a copy of the registry without the revocation (a project registry of
 * a new name, kept by --restricted) and pointed the lock entry at it trusted a revoked delegation again, on
 * a runner with an empty cache. A revocation now counts from every registry configured here, the global
 * config's own included; another registry's delegations still do not.
 */
const NEXT_YEAR = new Date(Date.now() + 365 * 86_400_000);

const verify = async (s: Awaited<ReturnType<typeof signersWorld>>, store?: VerificationStore, offline = false) => {
  const config = await loadConfig({ homeDir: s.w.home, projectDir: s.w.project, env: {}, restricted: true });
  return verifyWorkspace({ ...(await s.w.services(config)), homeDir: s.w.home, store, offline } as never);
};

describe('revocations held by another registry', () => {
  const local = useLocalSigstore();

  async function delegated() {
    const s = await signersWorld(local, () => 'trusted_identities: ["alice@example.com"]\non_signature_failure: error');
    const { verifier } = await s.w.services();
    const made = await delegateSigning({
      registry: s.w.registry,
      pattern: '@acme/*',
      delegate: delegateOf('bob@partner.io'),
      until: NEXT_YEAR,
      maxDepth: 0,
      signing: s.sigstore('alice@example.com'),
      verifier,
    });
    await s.publish('@acme/tool', '1.0.0', [s.sigstore('bob@partner.io')]);
    await s.install('@acme/tool');
    return { s, made, verifier };
  }

  it('a lock entry naming a copy of its registry without the revocation: still refused (restricted, empty cache)', async () => {
    const { s, made, verifier } = await delegated();
    // The attacker's copy of the registry (public data), taken before the revocation.
    const copy = join(s.w.root, 'copied-registry');
    await cp(s.w.registryDir, copy, { recursive: true });
    await revokeDelegation({
      registry: s.w.registry,
      prefix: made.id.slice(7, 19),
      reason: 'bob lost his key',
      signing: s.sigstore('alice@example.com'),
      verifier,
    });
    // Offline, the cache holds the delegation as install kept it; the registry's revocation counts all the
    // same (diff12-review R1: offline read the cache alone, and trusted the revoked delegation).
    const [offline] = await verify(s, undefined, true);
    assert.equal(statusOf(offline), 'signed-untrusted/fail/DELEGATION_REFUSED', offline!.verdict.message);
    assert.match(offline!.verdict.message, /was revoked by alice@example\.com .*bob lost his key/);
    // A fresh CI runner: no evidence cache.
    await rm(join(s.w.home, '.aam', 'cache'), { recursive: true, force: true });
    assert.equal(statusOf((await verify(s))[0]), 'signed-untrusted/fail/DELEGATION_REFUSED');
    // The pull request: a project registry of a new name (kept by --restricted), and the lock entry pointed at it.
    await s.w.writeProjectConfig(
      `registries:\n  - name: mirror\n    url: ${pathToFileURL(copy).href}\n    type: local\n`,
    );
    const lockPath = join(s.w.project, '.aam', 'aam-lock.yaml');
    await writeFile(lockPath, (await readFile(lockPath, 'utf8')).replace(/source: team/, 'source: mirror'));
    const [shadowed] = await verify(s);
    assert.equal(statusOf(shadowed), 'signed-untrusted/fail/DELEGATION_REFUSED', shadowed!.verdict.message);
    assert.match(shadowed!.verdict.message, /was revoked by alice@example\.com .*bob lost his key/);
  });

  it('another registry holding more files than are read refuses delegations, naming it (diff11-review R5)', async () => {
    const { s } = await delegated();
    await rm(join(s.w.home, '.aam', 'cache'), { recursive: true, force: true });
    const other = join(s.w.root, 'other-registry');
    await mkdir(join(other, 'delegations'), { recursive: true });
    await writeFile(join(other, 'registry.yaml'), 'name: other\n');
    for (let i = 0; i < 257; i++) {
      const junk = signedDocumentFile({
        document: documentBytes({
          type: REVOCATION_TYPE,
          delegation: `sha256:${i.toString(16).padStart(64, '0')}`,
          reason: `junk ${i}`,
          revoked_at: '2026-06-01T00:00:00.000Z',
        }),
        signature: { type: 'gpg', bytes: Buffer.from('never verified') },
      });
      await writeFile(join(other, 'delegations', junk.name), junk.bytes);
    }
    await s.w.writeProjectConfig(
      `registries:\n  - name: team\n    url: ${pathToFileURL(s.w.registryDir).href}\n    type: local\n    default: true\n  - name: other\n    url: ${pathToFileURL(other).href}\n    type: local\n`,
    );
    // Its revocations could not be read, so one of them could be this delegation's: left out unsaid, a lock
    // entry pointed at a copy of a busy team registry trusted a revoked delegation again.
    const [result] = await verify(s);
    assert.equal(statusOf(result), 'signed-untrusted/fail/DELEGATION_REFUSED', result!.verdict.message);
    assert.match(result!.verdict.message, /other-registry[/\\]delegations holds more than 256 delegation files/);
  });

  it('an HTTP registry that could not be asked, whose revocations this machine never held, refuses delegations (diff11-review R4)', async () => {
    const { s } = await delegated();
    // Beside it, a package of a signer no delegation names: refused for that, not for the revocations.
    await s.publish('@other/tool', '1.0.0', [s.sigstore('carol@example.com')]);
    await s.writeSecurity('trusted_identities: ["alice@example.com"]\non_signature_failure: warn');
    await s.install('@other/tool');
    await s.writeSecurity('trusted_identities: ["alice@example.com"]\non_signature_failure: error');
    const cache = join(s.w.home, '.aam', 'cache');
    await cp(cache, join(s.w.root, 'cache-as-installed'), { recursive: true });
    await rm(cache, { recursive: true, force: true });
    // The global config's second registry; this runner has no read token for it, until it has.
    let refuse = true;
    const hq = createServer((_request, response) => {
      if (refuse) response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"token required"}');
      else response.writeHead(200, { 'content-type': 'application/json' }).end('{"delegations":[]}');
    });
    await new Promise<void>((ready) => hq.listen(0, '127.0.0.1', ready));
    try {
      const configFile = join(s.w.home, '.aam', 'config.yaml');
      const url = `http://127.0.0.1:${(hq.address() as { port: number }).port}`;
      const config = await readFile(configFile, 'utf8');
      await writeFile(
        configFile,
        config.replace('registries:\n', `registries:\n  - name: hq\n    url: ${url}\n    type: http\n`),
      );
      // With the result store: a result refused for want of revocations is not kept once they are read.
      const store = new VerificationStore(join(s.w.root, 'verified'), 'test');
      await new Promise((settle) => setTimeout(settle, 2_100)); // a stamp this recent vouches for nothing (stamps.ts)
      const [refused, stranger] = await verify(s, store);
      assert.equal(statusOf(refused), 'signed-untrusted/fail/DELEGATION_REFUSED', refused!.verdict.message);
      assert.match(refused!.verdict.message, /revocations of registry "hq" \(.*401.*\) could not be read/);
      assert.equal(stranger!.name, '@other/tool');
      assert.equal(statusOf(stranger), 'signed-untrusted/fail/UNTRUSTED_SIGNER', stranger!.verdict.message);
      assert.doesNotMatch(stranger!.verdict.message, /revocations/);
      // Nor does prepare-offline keep the delegation for a run that reads nothing else (diff12-review R1).
      const prepare = async () =>
        prepareOffline({
          ...(await s.w.services(await loadConfig({ homeDir: s.w.home, projectDir: s.w.project, env: {} }))),
          homeDir: s.w.home,
        } as never);
      const unprepared = await prepare();
      assert.deepEqual(unprepared.cached, ['@other/tool@1.0.0']);
      assert.match(
        unprepared.missing.join('\n'),
        /@acme\/tool@1\.0\.0: it is trusted through a delegation, and the revocations of registry "hq"/,
      );
      // Once it has answered, its mirror counts with what it holds, even when it cannot be asked again.
      refuse = false;
      // Offline it is not asked: until its mirror has held its delegations once, they are unknown there too
      // (on the machine that installed, whose cache holds the archive and the delegation).
      await cp(join(s.w.root, 'cache-as-installed'), cache, { recursive: true });
      const [unasked] = await verify(s, undefined, true);
      assert.match(unasked!.verdict.message, /revocations of registry "hq" \(not asked: verifying offline/);
      assert.deepEqual((await prepare()).missing, []);
      const [prepared] = await verify(s, undefined, true);
      assert.equal(statusOf(prepared), 'verified/pass/VERIFIED', prepared!.verdict.message);
      assert.match(prepared!.verdict.message, /delegated by alice@example\.com/);
      assert.match((await verify(s, store))[0]!.verdict.message, /delegated by alice@example\.com/);
      refuse = true;
      const [stale] = await verify(s);
      assert.equal(statusOf(stale).split('/')[1], 'pass', stale!.verdict.message);
    } finally {
      hq.close();
    }
  });

  it("another registry's delegation does not count: only its revocations do", async () => {
    const { s } = await delegated();
    // The delegation now only in a second registry the project configures beside the team registry.
    const other = join(s.w.root, 'other-registry');
    await cp(join(s.w.registryDir, 'delegations'), join(other, 'delegations'), { recursive: true });
    await rm(join(s.w.registryDir, 'delegations'), { recursive: true, force: true });
    await rm(join(s.w.home, '.aam', 'cache'), { recursive: true, force: true });
    await writeFile(join(other, 'registry.yaml'), 'name: other\n');
    await s.w.writeProjectConfig(
      `registries:\n  - name: team\n    url: ${pathToFileURL(s.w.registryDir).href}\n    type: local\n    default: true\n  - name: other\n    url: ${pathToFileURL(other).href}\n    type: local\n`,
    );
    const [result] = await verify(s);
    assert.equal(statusOf(result).split('/')[1], 'fail', result!.verdict.message);
    assert.doesNotMatch(result!.verdict.message, /delegated by/);
  });
});
