import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseBlockMapping } from '../../src/core/yaml/block-mapping.ts';
import { readLockFile } from '../../src/core/lockfile/lockfile.ts';
import { readTrustRecord } from '../../src/core/record/trust-record.ts';
import { aam, aamOk } from '../helpers/aam.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { interopWorld } from '../helpers/interop.ts';

/**
 * Both directions of every file either tool writes, with the real `aam` CLI:
 * registry.yaml, index.yaml, metadata.yaml, archives, the lock file and the
 * config file. What aam writes, AAM Trust reads; what AAM Trust writes, aam's
 * install, list, search, info and verify read.
 */
describe('formats, both ways, with the real aam CLI', () => {
  const local = useLocalSigstore();

  const world = () => interopWorld(local);

  it('AAM Trust installs and verifies what aam published: scoped, unscoped, pre-release, dependencies', async () => {
    const w = await world();
    await w.theirs('registry', 'init', w.registry, '--default');
    for (const [name, version, deps] of [
      ['@acme/base', '1.0.0', {}],
      ['plain', '2.0.0-beta.1', {}],
      ['@acme/app', '1.2.0', { '@acme/base': '^1.0.0' }],
    ] as const) {
      const dir = await w.source(name, version, { dependencies: deps });
      await aamOk(['pkg', 'pack'], { cwd: dir, home: w.home });
      await aamOk(['pkg', 'publish'], { cwd: dir, home: w.home });
    }
    // aam wrote registry.yaml, index.yaml and metadata.yaml with its quoted timestamps; AAM Trust reads them all.
    const installed = await w.trust('install', '@acme/app', 'plain@2.0.0-beta.1', '--no-deploy');
    assert.equal(installed.code, 0, installed.stderr);
    const lock = await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'));
    assert.deepEqual(Object.keys(lock.packages).sort(), ['@acme/app', '@acme/base', 'plain']);
    assert.deepEqual(lock.packages['@acme/app']!.dependencies, { '@acme/base': '1.0.0' });
    assert.equal((await w.trust('verify')).code, 0);
    // And aam reads the lock file AAM Trust wrote (timestamps quoted, signature records ignored).
    const listed = await w.theirs('list');
    for (const name of ['@acme/app', '@acme/base', 'plain']) assert.match(listed, new RegExp(name.replace('/', '\\/')));
    const verified = await aam(['verify', '--all'], { cwd: w.project, home: w.home });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  });

  it('an unversioned install takes the version aam takes: the highest, not the one aam published last', async () => {
    const w = await world();
    await w.theirs('registry', 'init', w.registry, '--default');
    for (const version of ['2.0.0', '1.5.0']) {
      const dir = await w.source('tool', version);
      await aamOk(['pkg', 'pack'], { cwd: dir, home: w.home });
      await aamOk(['pkg', 'publish'], { cwd: dir, home: w.home });
    }
    const metadata = await readFile(join(w.registry, 'packages', 'tool', 'metadata.yaml'), 'utf8');
    assert.match(metadata, /latest: 1\.5\.0/, 'aam tags the version it published last');
    await w.theirs('install', 'tool', '--no-deploy');
    const theirs = await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'));
    assert.equal(theirs.packages.tool!.version, '2.0.0', "aam's choice");
    for (const spec of ['tool', 'tool@latest']) {
      const installed = await w.trust('install', spec, '--no-deploy', '--force');
      assert.equal(installed.code, 0, installed.stderr);
      const ours = await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'));
      assert.equal(ours.packages.tool!.version, '2.0.0', spec);
    }
  });

  it('reads the registries aam registry add writes (a URL without a scheme, file://localhost/…) without refusing', async () => {
    const w = await world();
    await w.theirs('registry', 'init', w.registry);
    await w.theirs('registry', 'add', 'team', 'registry.example.com');
    await w.theirs('registry', 'add', 'loc', `file://localhost${w.registry}`);
    const config = await readFile(join(w.home, '.aam', 'config.yaml'), 'utf8');
    assert.match(config, /url: registry\.example\.com/);
    const run = await w.trust('verify');
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /CONFIG_INVALID/);
  });

  it('with several registries, never installs from another registry than aam would: it asks which', async () => {
    const w = await world();
    const corp = join(w.root, 'corp');
    await w.theirs('registry', 'init', corp);
    await w.theirs('registry', 'add', 'corp', pathToFileURL(corp).href);
    await w.theirs('registry', 'init', w.registry, '--default');
    const config = await readFile(join(w.home, '.aam', 'config.yaml'), 'utf8');
    assert.ok(config.indexOf(corp) < config.indexOf(w.registry), 'corp comes first, the other is the default');
    const publish = async (version: string, to: string) => {
      const dir = await w.source('tool', version);
      await aamOk(['pkg', 'pack'], { cwd: dir, home: w.home });
      await aamOk(['pkg', 'publish', '--registry', to], { cwd: dir, home: w.home });
    };
    await publish('1.0.0', 'corp');
    await publish('3.0.0', 'registry');
    await w.theirs('install', 'tool', '--no-deploy');
    const theirs = await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'));
    assert.deepEqual([theirs.packages.tool!.version, theirs.packages.tool!.source], ['1.0.0', 'corp'], "aam's choice");
    // aam writes lock files as the fast reader reads them: the full parser, capped for a pull request's files
    // (WRITTEN_BY_AAM_LIMIT), never meets one however large.
    assert.ok(parseBlockMapping(await readFile(join(w.project, '.aam', 'aam-lock.yaml'), 'utf8')), 'fast reader');

    const refused = await w.trust('install', 'tool', '--no-deploy', '--force');
    assert.equal(refused.code, 2, refused.stdout);
    assert.match(refused.stderr, /tool is in registry "corp", which comes before the default "registry"/);
    assert.match(refused.stderr, /--registry corp \(as aam does\), or --registry registry/);
    const named = await w.trust('install', 'tool', '--registry', 'corp', '--no-deploy', '--force');
    assert.equal(named.code, 0, named.stderr);
    assert.equal((await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'))).packages.tool!.source, 'corp');
  });

  it("aam installs, lists, searches and shows what AAM Trust published, signed; aam verify reads AAM Trust's lock file", async () => {
    const w = await world();
    assert.equal((await w.trust('registry', 'init', w.registry)).code, 0);
    await writeFile(
      join(w.home, '.aam', 'config.yaml'),
      `registries:\n- name: team\n  url: ${pathToFileURL(w.registry).href}\n  type: local\n  default: true\nsecurity:\n  require_checksum: true\n`,
    );
    await w.addTrust('trusted_identities: ["*@example.com"]');
    for (const name of ['@acme/signed', 'unscoped']) {
      const published = await w.trust(
        'publish',
        await w.source(name, '1.0.0'),
        '--sign',
        '--identity-token',
        w.token(),
      );
      assert.equal(published.code, 0, published.stderr);
    }
    const index = await readFile(join(w.registry, 'index.yaml'), 'utf8');
    assert.match(index, /updated_at: '\d{4}-\d\d-\d\dT[^']+'/, 'timestamps are quoted, as PyYAML writes them');
    assert.match(await w.theirs('search', 'acme'), /@acme\/signed/);
    await w.theirs('install', '@acme/signed');
    await w.theirs('install', 'unscoped');
    assert.match(await w.theirs('info', '@acme/signed'), /1\.0\.0/);
    assert.match(await w.theirs('list'), /@acme\/signed/);
    // AAM Trust verifies what aam installed from its registry: signature found in the registry, deployed copies checked.
    const verified = await w.trust('verify', '--json');
    assert.equal(verified.code, 0, verified.stdout);
    assert.deepEqual(
      JSON.parse(verified.stdout).packages.map((p: { status: string }) => p.status),
      ['verified', 'verified'],
    );
    // AAM Trust installs over aam's lock file; aam still reads it, and verifies what AAM Trust installed.
    await writeFile(join(w.project, '.aam', 'packages', 'placeholder'), '');
    const again = await w.trust('install', '@acme/signed', '--force');
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await w.trust('install', 'unscoped', '--force')).code, 0);
    assert.match(await w.theirs('list'), /unscoped/);
    for (const name of ['@acme/signed', 'unscoped']) {
      const theirVerify = await aam(['verify', name], { cwd: w.project, home: w.home });
      assert.equal(theirVerify.code, 0, theirVerify.stdout + theirVerify.stderr);
    }
    // For an unscoped package aam really checks the files, against the checksums AAM Trust recorded.
    await writeFile(join(w.project, '.aam', 'packages', 'unscoped', 'prompts', 'greet.md'), 'edited');
    assert.match(
      (await aam(['verify', 'unscoped'], { cwd: w.project, home: w.home })).stdout,
      /modified|prompts\/greet\.md/i,
    );
  });

  it("keeps aam's index entries as aam wrote them when publishing beside them, and reads the index aam rebuilds", async () => {
    const w = await world();
    await w.theirs('registry', 'init', w.registry, '--default');
    const first = await w.source('@acme/first', '1.0.0');
    await aamOk(['pkg', 'pack'], { cwd: first, home: w.home });
    await aamOk(['pkg', 'publish'], { cwd: first, home: w.home });
    const entryOf = (text: string, name: string) =>
      text.split(/\n(?=- name: )/).find((e) => e.includes(`name: '${name}'`)) ?? '';
    const before = await readFile(join(w.registry, 'index.yaml'), 'utf8');
    await w.addTrust('');
    assert.equal(
      (await w.trust('publish', await w.source('@acme/second', '1.0.0'), '--sign', '--identity-token', w.token())).code,
      0,
    );
    const after = await readFile(join(w.registry, 'index.yaml'), 'utf8');
    assert.equal(entryOf(after, '@acme/first').trim(), entryOf(before, '@acme/first').trim());
    // aam publishes next and rebuilds the index from every metadata.yaml, AAM Trust's included.
    const third = await w.source('@acme/third', '1.0.0');
    await aamOk(['pkg', 'pack'], { cwd: third, home: w.home });
    await aamOk(['pkg', 'publish'], { cwd: third, home: w.home });
    assert.match(await w.theirs('search', 'acme'), /@acme\/second/);
    const installed = await w.trust('install', '@acme/second', '@acme/third', '--no-deploy');
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(installed.stdout, /@acme\/second@1\.0\.0 {2}signed \(no trust policy\)/);
  });

  it('survives aam rewriting the lock file: the signature recorded at install is still found and checked', async () => {
    const w = await world();
    await w.theirs('registry', 'init', w.registry, '--default');
    await w.addTrust('trusted_identities: ["*@example.com"]\non_signature_failure: error');
    const published = await w.trust(
      'publish',
      await w.source('@acme/kept', '1.0.0'),
      '--sign',
      '--identity-token',
      w.token(),
    );
    assert.equal(published.code, 0, published.stderr);
    const installed = await w.trust('install', '@acme/kept');
    assert.equal(installed.code, 0, installed.stderr);
    const other = await w.source('other', '1.0.0');
    await aamOk(['pkg', 'pack'], { cwd: other, home: w.home });
    await aamOk(['pkg', 'publish'], { cwd: other, home: w.home });
    await w.theirs('install', 'other');
    const lock = await readFile(join(w.project, '.aam', 'aam-lock.yaml'), 'utf8');
    assert.doesNotMatch(lock, /signature:/, 'aam dropped the signature record');
    assert.equal(
      (await readTrustRecord(join(w.project, '.aam', 'trust-record.yaml'))).packages['@acme/kept']?.signature?.type,
      'sigstore',
    );
    // The registry loses the signature too: the trust record still names the one captured at install.
    const bundle = join(w.registry, 'packages', 'acme--kept', 'versions', '1.0.0.aam.sigstore.json');
    await writeFile(bundle, '');
    const verified = await w.trust('verify', '--json', '@acme/kept');
    const report = JSON.parse(verified.stdout).packages[0];
    assert.equal(report.status, 'verified', verified.stdout);
    assert.deepEqual(
      report.findings.map((f: { code: string }) => f.code),
      ['REGISTRY_CHANGED'],
    );
  });

  it('says which trust entries the policy lost when aam config set rewrote the global config', async () => {
    const w = await world();
    await w.theirs('registry', 'init', w.registry, '--default');
    await w.addTrust(
      `trusted_identities:\n  - "*@example.com"\n  - identity: bob@example.com\n    issuer: https://accounts.google.com\ntrusted_keys: [ABCD1234EF567890ABCD1234EF567890ABCD1234]`,
    );
    assert.equal(
      (await w.trust('publish', await w.source('@acme/x', '1.0.0'), '--sign', '--identity-token', w.token())).code,
      0,
    );
    assert.equal((await w.trust('install', '@acme/x')).code, 0);
    assert.equal((await w.trust('verify')).code, 0);
    await w.theirs('config', 'set', 'default_platform', 'claude');
    const config = await readFile(join(w.home, '.aam', 'config.yaml'), 'utf8');
    assert.doesNotMatch(config, /trusted_identities/, 'aam dropped the keys it does not know');
    const warned = await w.trust('verify');
    assert.match(
      warned.stdout,
      /lost trusted_identities entry "\*@example\.com", which was in .*home\/\.aam\/config\.yaml/,
    );
    assert.match(
      warned.stdout,
      /lost trusted_identities entry "bob@example\.com \(issuer https:\/\/accounts\.google\.com\)"/,
    );
    assert.match(warned.stdout, /lost trusted_keys entry "ABCD1234EF567890ABCD1234EF567890ABCD1234"/);
    assert.match((await w.trust('verify')).stdout, /lost trusted_identities/, 'until acknowledged');
    await w.trust('verify', '--acknowledge-policy');
    assert.doesNotMatch((await w.trust('verify')).stdout, /lost/);
  });

  it('reads what aam writes with a raw U+2028 in a quoted string: packed, published, installed', async () => {
    const w = await world();
    await w.theirs('registry', 'init', w.registry, '--default');
    const odd = await w.source('odd', '1.0.0');
    const manifest = join(odd, 'aam.yaml');
    await writeFile(
      manifest,
      (await readFile(manifest, 'utf8')).replace('description: Package odd', 'description: "Line one\\Lline two"'),
    );
    await aamOk(['pkg', 'pack'], { cwd: odd, home: w.home });
    await aamOk(['pkg', 'publish'], { cwd: odd, home: w.home });
    const metadata = await readFile(join(w.registry, 'packages', 'odd', 'metadata.yaml'), 'utf8');
    assert.ok(metadata.includes("'Line one\u2028"), 'aam writes it raw, single-quoted (PyYAML allow_unicode)');
    await aamOk(['install', 'odd', '--no-deploy'], { cwd: w.project, home: w.home });
    const info = await w.trust('info', 'odd');
    assert.doesNotMatch(info.stdout, /tampered|cannot be read/, info.stdout);
    const other = join(w.root, 'other');
    await mkdir(join(other, '.aam'), { recursive: true });
    const install = await w.trust('install', 'odd', '--no-deploy', '--project', other);
    assert.equal(install.code, 0, install.stdout + install.stderr);
  });

  it("says which of AAM Trust's own settings went weaker when aam config set dropped them", async () => {
    const w = await world();
    await w.theirs('registry', 'init', w.registry, '--default');
    await w.addTrust('hidden_content: error\nallow_delegation: false\nsignature_threshold:\n  "@other/*": 2');
    assert.equal((await w.trust('publish', await w.source('@acme/x', '1.0.0'))).code, 0);
    assert.equal((await w.trust('install', '@acme/x')).code, 0);
    assert.doesNotMatch((await w.trust('verify')).stdout, /lost/);
    await w.theirs('config', 'set', 'default_platform', 'claude');
    assert.doesNotMatch(await readFile(join(w.home, '.aam', 'config.yaml'), 'utf8'), /hidden_content/);
    const warned = (await w.trust('verify')).stdout;
    assert.match(warned, /lost hidden_content: error \(now warn\), which was in .*home\/\.aam\/config\.yaml/);
    assert.match(warned, /lost allow_delegation: false \(now true\)/);
    assert.match(warned, /lost signature_threshold: \{"@other\/\*":2\} \(now 1\)/);
  });

  it('aam install FILE.aam (source: local): says how to keep its evidence; aam-trust install FILE.aam keeps it', async () => {
    const w = await world();
    await w.theirs('registry', 'init', w.registry, '--default');
    await w.addTrust('');
    const dir = await w.source('@acme/file', '1.0.0');
    await aamOk(['pkg', 'pack'], { cwd: dir, home: w.home });
    const archive = join(
      dir,
      (await readdir(dir)).find((f) => f.endsWith('.aam'))!,
    );
    await w.theirs('install', archive);
    assert.match(await readFile(join(w.project, '.aam', 'aam-lock.yaml'), 'utf8'), /source: local/);
    const unknown = await w.trust('verify');
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stdout,
      /source: local is a local \.aam file AAM Trust has not kept, or a registry named "local" .*aam-trust install FILE\.aam --force/,
    );
    const kept = await w.trust('install', archive, '--force');
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal((await w.trust('verify')).code, 0);
    assert.match(await w.theirs('list'), /@acme\/file/);
  });

  it('global installs (-g): AAM Trust verifies what aam installed into ~/.aam', async () => {
    const w = await world();
    await w.theirs('registry', 'init', w.registry, '--default');
    await w.addTrust('');
    const dir = await w.source('@acme/global', '1.0.0');
    await aamOk(['pkg', 'pack'], { cwd: dir, home: w.home });
    await aamOk(['pkg', 'publish'], { cwd: dir, home: w.home });
    await w.theirs('install', '@acme/global', '-g');
    const verified = await w.trust('verify', '--global', '--json');
    assert.equal(verified.code, 0, verified.stdout);
    assert.equal(JSON.parse(verified.stdout).packages[0].name, '@acme/global');
  });

  it('a registry with require_signatures: an unsigned package fails, whoever published it', async () => {
    const w = await world();
    await w.theirs('registry', 'init', w.registry, '--default');
    await writeFile(
      join(w.registry, 'registry.yaml'),
      `${await readFile(join(w.registry, 'registry.yaml'), 'utf8')}require_signatures: true\n`,
    );
    await w.addTrust('');
    const dir = await w.source('@acme/unsigned', '1.0.0');
    await aamOk(['pkg', 'pack'], { cwd: dir, home: w.home });
    await aamOk(['pkg', 'publish'], { cwd: dir, home: w.home });
    const refused = await w.trust('install', '@acme/unsigned');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /requires signatures/);
    await w.theirs('install', '@acme/unsigned');
    const failed = await w.trust('verify');
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /unsigned — Package is not signed, and registry "registry" requires signatures/);
  });
});
