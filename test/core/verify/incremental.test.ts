import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, utimes, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { installPackages } from '../../../src/core/workflows/install/install.ts';
import { publishPackage } from '../../../src/core/workflows/publish.ts';
import { staticToken } from '../../../src/core/sigstore/identity/providers.ts';
import { runJobs } from '../../../src/core/verify/threads/pool.ts';
import { VerificationStore } from '../../../src/core/verify/store/result-store.ts';
import { verifyWorkspace } from '../../../src/core/verify/workspace.ts';
import type { PackageReport, VerifyWorkspaceOptions } from '../../../src/core/verify/workspace.ts';
import { readLockFile } from '../../../src/core/lockfile/lockfile.ts';
import { makeWorld } from '../../helpers/workspace.ts';
import type { TestWorld } from '../../helpers/workspace.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';
import { tempDir } from '../../helpers/temp.ts';
import { jobFor, withoutTimes } from '../../helpers/verify-jobs.ts';

const NAMES = ['@acme/a', '@acme/b', '@acme/c'];
/** Stamps younger than this prove nothing (see stamps.ts); files must settle before results are reused. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 2_100));

describe('incremental re-verification', () => {
  const local = useLocalSigstore();
  let w: TestWorld;
  let storeDir: string;

  before(async () => {
    w = await makeWorld();
    const rootPath = join(w.root, 'trusted_root.json');
    await writeFile(rootPath, JSON.stringify(local.instance().trustedRoot()));
    await w.writeGlobalConfig(`sigstore_trusted_root: ${rootPath}\ntrusted_identities: ["*@example.com"]`);
    const { verifier } = await w.services();
    for (const name of NAMES) {
      const signing = {
        method: 'sigstore' as const,
        endpoints: local.endpoints(),
        identityProvider: staticToken(local.instance().mintToken('alice@example.com')),
      };
      await publishPackage({ packageDir: await w.makePackage(name, '1.0.0'), registry: w.registry, signing, verifier });
    }
    await installPackages(NAMES, { ...(await w.services()), registry: w.registry });
    storeDir = await tempDir('aam-store-');
    await settle();
  });
  after(async () => {
    await rm(w.root, { recursive: true, force: true });
    await rm(storeDir, { recursive: true, force: true });
  });

  const verify = async (options: Partial<VerifyWorkspaceOptions> = {}) => {
    const services = await w.services();
    const reports = await verifyWorkspace({ ...services, store: new VerificationStore(storeDir), ...options });
    // checkedAt counts milliseconds: on a fast machine the next run could check a package in the millisecond
    // this one did, and a fresh check would look like a reused one. The next run starts a millisecond later.
    for (const end = Date.now(); Date.now() <= end;);
    return reports;
  };
  const byName = (reports: PackageReport[]) => Object.fromEntries(reports.map((r) => [r.name, r]));

  it('reuses results whose files, lock entry and trust material are unchanged, and re-decides them under the current policy', async () => {
    const first = byName(await verify());
    assert.deepEqual(
      NAMES.map((n) => first[n]!.verdict.status),
      ['verified', 'verified', 'verified'],
    );
    // A new store object reads the persisted results, as after a restart.
    const second = byName(await verify());
    for (const name of NAMES) {
      assert.equal(second[name]!.checkedAt, first[name]!.checkedAt, `${name} was verified again`);
      assert.deepEqual(second[name]!.verdict, first[name]!.verdict);
    }
    // A policy change needs no new checks: the same checks, decided again.
    await w.writeGlobalConfig(
      `sigstore_trusted_root: ${join(w.root, 'trusted_root.json')}\ntrusted_identities: ["*@other.org"]`,
    );
    try {
      const third = byName(await verify());
      for (const name of NAMES) {
        assert.equal(third[name]!.checkedAt, first[name]!.checkedAt);
        assert.equal(third[name]!.verdict.status, 'signed-untrusted');
      }
    } finally {
      // Restored whatever happened: the next tests trust *@example.com.
      await w.writeGlobalConfig(
        `sigstore_trusted_root: ${join(w.root, 'trusted_root.json')}\ntrusted_identities: ["*@example.com"]`,
      );
    }
  });

  it('re-verifies only the package whose installed file changed, even with its size and mtime restored', async () => {
    const before = byName(await verify());
    const file = join(w.project, '.aam', 'packages', 'acme--b', 'prompts', 'hello.md');
    const original = await stat(file);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('@acme/b', '@acme/X'));
    try {
      await utimes(file, original.atime, original.mtime);
      const after = byName(await verify());
      assert.equal(after['@acme/b']!.verdict.status, 'tampered');
      assert.equal(after['@acme/a']!.checkedAt, before['@acme/a']!.checkedAt);
      assert.equal(after['@acme/c']!.checkedAt, before['@acme/c']!.checkedAt);
    } finally {
      await writeFile(file, text);
    }
    const restored = byName(await verify());
    assert.equal(restored['@acme/b']!.verdict.status, 'verified');
  });

  it('re-verifies a package whose registry signature was replaced', async () => {
    await settle();
    const before = byName(await verify());
    const signature = w.registry.archivePath('@acme/c', '1.0.0') + '.sigstore.json';
    const bytes = await readFile(signature);
    await writeFile(signature, bytes.toString('utf8').replace(/"mediaType"/, ' "mediaType"'));
    try {
      const after = byName(await verify());
      assert.notEqual(after['@acme/c']!.checkedAt, before['@acme/c']!.checkedAt);
      // The package keeps the verdict of the signature captured at install; the registry's change is a finding of its own.
      assert.equal(after['@acme/c']!.verdict.status, 'verified');
      assert.deepEqual(
        after['@acme/c']!.findings.map((f) => [f.code, f.action]),
        [['REGISTRY_CHANGED', 'fail']],
      );
      assert.equal(after['@acme/a']!.checkedAt, before['@acme/a']!.checkedAt);
    } finally {
      await writeFile(signature, bytes);
    }
    const restored = byName(await verify())['@acme/c']!;
    assert.deepEqual([restored.verdict.status, restored.findings], ['verified', []]);
  });

  it("re-verifies every package when the registry's registry.yaml or delegations folder changes (read once a run, stamped for each)", async () => {
    await settle();
    const checkedAt = async () => {
      const reports = byName(await verify());
      return NAMES.map((n) => reports[n]!.checkedAt);
    };
    const before = await checkedAt();
    assert.deepEqual(await checkedAt(), before, 'nothing changed: every result reused');
    const settings = join(w.registry.root, 'registry.yaml');
    const text = await readFile(settings, 'utf8');
    const delegations = join(w.registry.root, 'delegations');
    try {
      await writeFile(settings, `${text}\n# changed\n`);
      const changed = await checkedAt();
      NAMES.forEach((name, i) => assert.notEqual(changed[i], before[i], `${name} after registry.yaml changed`));
      await settle();
      const settled = await checkedAt();
      await mkdir(delegations);
      const added = await checkedAt();
      NAMES.forEach((name, i) => assert.notEqual(added[i], settled[i], `${name} after delegations/ appeared`));
    } finally {
      await rm(delegations, { recursive: true, force: true });
      await writeFile(settings, text);
    }
  });

  it('re-verifies everything when the trust material changes, and when forced', async () => {
    await settle();
    const before = byName(await verify());
    const rootPath = join(w.root, 'trusted_root.json');
    const root = await readFile(rootPath, 'utf8');
    await writeFile(rootPath, JSON.stringify(JSON.parse(root), null, 1));
    const after = byName(await verify());
    for (const name of NAMES) assert.notEqual(after[name]!.checkedAt, before[name]!.checkedAt);
    const forced = byName(await verify({ force: true }));
    for (const name of NAMES) assert.notEqual(forced[name]!.checkedAt, after[name]!.checkedAt);
  });

  it('does not trust a stamp taken while the file could still change in the same clock tick', async () => {
    const file = join(w.project, '.aam', 'packages', 'acme--a', 'prompts', 'hello.md');
    await writeFile(file, await readFile(file));
    const first = byName(await verify());
    // Nothing changed, but the file changed less than a tick-safe moment before it was read.
    const second = byName(await verify());
    assert.notEqual(second['@acme/a']!.checkedAt, first['@acme/a']!.checkedAt);
  });

  it("keeps a line a result: a damaged line costs only its package a new verification, and verifying one package leaves the others' lines as they were", async () => {
    await settle(); // the previous test touched a file: its stamps must settle before a result is reused
    const first = byName(await verify());
    const { readdir } = await import('node:fs/promises');
    const [file] = (await readdir(storeDir)).map((f) => join(storeDir, f));
    /** The file's result lines, by name (after its header line). */
    const lines = async () => {
      const [, ...rest] = (await readFile(file!, 'utf8')).split('\n');
      assert.equal(rest.pop(), '');
      return new Map(rest.map((line) => [JSON.parse(line.slice(0, line.indexOf('\t'))) as string, line]));
    };
    const before = await lines();
    assert.deepEqual([...before.keys()].sort(), NAMES);
    const text = await readFile(file!, 'utf8');
    await writeFile(file!, text.replace(before.get('@acme/b')!, `${JSON.stringify('@acme/b')}\t{"key": "`));
    const second = byName(await verify());
    assert.equal(second['@acme/a']!.checkedAt, first['@acme/a']!.checkedAt);
    assert.equal(second['@acme/c']!.checkedAt, first['@acme/c']!.checkedAt);
    assert.notEqual(second['@acme/b']!.checkedAt, first['@acme/b']!.checkedAt, 'the damaged line was trusted');
    assert.equal(second['@acme/b']!.verdict.status, 'verified');

    const kept = await lines();
    await verify({ only: ['@acme/a'], force: true });
    const after = await lines();
    assert.equal(after.get('@acme/b'), kept.get('@acme/b'));
    assert.equal(after.get('@acme/c'), kept.get('@acme/c'));
    assert.notEqual(after.get('@acme/a'), kept.get('@acme/a'));

    // A store that read every result (the extension's view at start-up) writes them all again from memory.
    const lockFile = join(w.project, '.aam', 'aam-lock.yaml');
    const store = new VerificationStore(storeDir);
    const everything = store.all(lockFile);
    assert.deepEqual(Object.keys(everything).sort(), NAMES);
    store.remember(lockFile, '@acme/b', everything['@acme/b']!);
    assert.deepEqual(await store.save(), []);
    assert.deepEqual(new VerificationStore(storeDir).all(lockFile), everything);
    assert.deepEqual([...(await lines()).keys()].sort(), NAMES);
  });

  it('ignores a cache file that is damaged or from another build', async () => {
    await verify();
    const store = new VerificationStore(storeDir, 'another build');
    const lockFile = join(w.project, '.aam', 'aam-lock.yaml');
    assert.equal(store.stored(lockFile, '@acme/a'), undefined);
    const { readdir } = await import('node:fs/promises');
    for (const file of await readdir(storeDir))
      await writeFile(
        join(storeDir, file),
        `{"format": "aam-trust/verification-results", "revision": 2, "salt": "", "lockFile": ${JSON.stringify(lockFile)}, "lock": {"stamp": 7}, "results": {"@acme/a": {"key": 1, "result": null}, "@acme/b": {"key": 1, "result": {"evidence": 3, "scan": {"dirs": null}}}}}`,
      );
    const reports = byName(await verify());
    assert.deepEqual(
      NAMES.map((n) => reports[n]!.verdict.status),
      ['verified', 'verified', 'verified'],
    );
  });
});

describe('verification workers', () => {
  const local = useLocalSigstore();

  it('give the same results as this thread, and a worker that dies hands its jobs back', async () => {
    const w = await makeWorld();
    const rootPath = join(w.root, 'trusted_root.json');
    await writeFile(rootPath, JSON.stringify(local.instance().trustedRoot()));
    await w.writeGlobalConfig(`sigstore_trusted_root: ${rootPath}\ntrusted_identities: ["*@example.com"]`);
    const services = await w.services();
    const signing = {
      method: 'sigstore' as const,
      endpoints: local.endpoints(),
      identityProvider: staticToken(local.instance().mintToken('alice@example.com')),
    };
    await publishPackage({
      packageDir: await w.makePackage('@acme/one', '1.0.0'),
      registry: w.registry,
      signing,
      verifier: services.verifier,
    });
    await installPackages(['@acme/one'], { ...services, registry: w.registry });
    const lock = await readLockFile(services.workspace.lockFile);
    const entry = lock.packages['@acme/one']!;
    const job = jobFor(services, '@acme/one', entry);
    // Enough jobs that the pool starts two workers.
    const jobs = Array.from({ length: 60 }, () => job);
    const here = (await runJobs(jobs, services.verifier, { workers: 0 })).map(withoutTimes);
    const threads = (await runJobs(jobs, services.verifier, { workers: 2 })).map(withoutTimes);
    assert.equal(threads.length, 60);
    assert.deepEqual(threads, here);
    assert.equal(here[0]!.checks.signature.state, 'valid');
    const dying = new URL('data:text/javascript,process.exit(3)');
    const handedBack = (await runJobs(jobs, services.verifier, { workers: 2, workerScript: dying })).map(withoutTimes);
    assert.deepEqual(handedBack, here);
    await rm(w.root, { recursive: true, force: true });
  });
});
