import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { LocalKeyServer } from '../../dev/keyserver.ts';
import { wkdHash } from '../../src/core/openpgp/discovery.ts';
import { cli } from '../helpers/cli.ts';
import { makeWorld } from '../helpers/workspace.ts';

async function publicKey(uid: { name: string; email: string }): Promise<{ armored: string; fingerprint: string }> {
  const { publicKey } = await generateKey({ userIDs: [uid], format: 'object' });
  return { armored: publicKey.armor(), fingerprint: publicKey.getFingerprint().toUpperCase() };
}

describe('aam-trust keys fetch (Web Key Directory, HKP and VKS on 127.0.0.1)', () => {
  let server: LocalKeyServer;
  let alice: { armored: string; fingerprint: string };
  let mallory: { armored: string; fingerprint: string };
  before(async () => {
    server = await LocalKeyServer.start();
    alice = await publicKey({ name: 'Alice', email: 'alice@example.com' });
    mallory = await publicKey({ name: 'Mallory', email: 'mallory@evil.io' });
    await server.add(alice.armored);
    await server.add(mallory.armored);
  });
  after(async () => server?.close());

  const keyring = async (home: string) => readdir(join(home, '.aam', 'keys')).catch(() => [] as string[]);

  it('finds a key by email in the Web Key Directory, says where it came from, and does not trust it', async () => {
    const w = await makeWorld();
    const run = await cli(['keys', 'fetch', 'alice@example.com'], {
      cwd: w.project,
      home: w.home,
      env: { AAM_WKD_ORIGIN: server.url },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`✓ Found ${alice.fingerprint} through Web Key Directory`));
    assert.match(run.stdout, new RegExp(`/\\.well-known/openpgpkey/example\\.com/hu/${wkdHash('alice')}\\?l=alice`));
    assert.match(run.stdout, /uid Alice <alice@example\.com>/);
    assert.match(run.stdout, /it is not trusted/);
    assert.deepEqual(await keyring(w.home), [`${alice.fingerprint}.asc`]);
  });

  it('finds a key by fingerprint on an HKP keyserver and through the VKS API', async () => {
    for (const keyserver of [server.url.replace('http://', 'hkp://'), server.url]) {
      const w = await makeWorld();
      await w.writeGlobalConfig(`keyserver: ${keyserver}`);
      const run = await cli(['keys', 'fetch', '--json', alice.fingerprint], { cwd: w.project, home: w.home });
      assert.equal(run.code, 0, run.stderr);
      const found = JSON.parse(run.stdout) as { fingerprint: string; method: string; source: string };
      assert.equal(found.fingerprint, alice.fingerprint);
      assert.equal(found.method, keyserver.startsWith('hkp') ? 'hkp' : 'vks');
      assert.deepEqual(await keyring(w.home), [`${alice.fingerprint}.asc`]);
    }
  });

  it('refuses a key whose fingerprint is not the one asked for, naming both', async () => {
    const w = await makeWorld();
    server.lie(alice.fingerprint, mallory.armored);
    try {
      const run = await cli(['keys', 'fetch', alice.fingerprint, '--keyserver', server.url], {
        cwd: w.project,
        home: w.home,
      });
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        new RegExp(
          `Refused for ${alice.fingerprint}:[\\s\\S]*refused: it returned key ${mallory.fingerprint}, not ${alice.fingerprint}`,
        ),
      );
      assert.match(run.stderr, /\(KEY_REFUSED\)/);
      assert.deepEqual(await keyring(w.home), []);
    } finally {
      server.lie(alice.fingerprint, '');
    }
  });

  it('refuses an email lookup that returns a key without that email, from the directory and the keyserver', async () => {
    const w = await makeWorld();
    server.lie('alice@example.com', mallory.armored);
    try {
      const run = await cli(['keys', 'fetch', 'alice@example.com', '--keyserver', server.url], {
        cwd: w.project,
        home: w.home,
        env: { AAM_WKD_ORIGIN: server.url },
      });
      assert.equal(run.code, 1);
      const refusals = run.stderr.match(/which has no user ID with alice@example\.com/g) ?? [];
      assert.equal(refusals.length, 2, run.stderr);
      assert.deepEqual(await keyring(w.home), []);
    } finally {
      server.lie('alice@example.com', '');
    }
  });

  it('refuses a short key id, and says what keys takes', async () => {
    const w = await makeWorld();
    const short = await cli(['keys', 'fetch', alice.fingerprint.slice(-16)], { cwd: w.project, home: w.home });
    assert.equal(short.code, 2);
    assert.match(short.stderr, /is a short key id, which anyone can forge a key for/);
    const unknown = await cli(['keys', 'frobnicate'], { cwd: w.project, home: w.home });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /"keys frobnicate" is not a keys command: keys import or keys fetch/);
    const nowhere = await cli(['keys', 'fetch', alice.fingerprint], { cwd: w.project, home: w.home });
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /a fingerprint is looked up on a keyserver/);
  });

  it('a signature by a key not in the keyring offers "Fetch key …", and fetching it lets the package verify', async () => {
    const w = await makeWorld();
    const { privateKey, publicKey: bobPublic } = await generateKey({
      userIDs: [{ name: 'Bob', email: 'bob@example.com' }],
      format: 'object',
    });
    const secret = join(w.root, 'bob-secret.asc');
    await writeFile(secret, privateKey.armor());
    const fingerprint = bobPublic.getFingerprint().toUpperCase();
    await server.add(bobPublic.armor());
    const home = join(w.root, 'empty-gnupg');
    await mkdir(home, { recursive: true, mode: 0o700 });
    await w.writeGlobalConfig(`gpg_home: ${home}\nkeyserver: ${server.url}`);
    const run = (...args: string[]) => cli(args, { cwd: w.project, home: w.home });
    assert.equal((await run('publish', await w.makePackage('tool', '1.0.0'), '--gpg-key', secret)).code, 0);
    assert.equal((await run('install', 'tool', '--no-deploy')).code, 0);
    const before = JSON.parse((await run('verify', '--json')).stdout) as {
      packages: { code: string; hint: string; checks: { label: string; detail: string }[] }[];
    };
    assert.equal(before.packages[0]!.code, 'KEY_UNKNOWN');
    assert.match(before.packages[0]!.hint, new RegExp(`aam-trust keys fetch ${fingerprint}`));
    assert.ok(
      before.packages[0]!.checks.some((c) => c.label === 'Fetch key' && c.detail.startsWith(fingerprint)),
      JSON.stringify(before.packages[0]!.checks),
    );
    assert.equal((await run('keys', 'fetch', fingerprint)).code, 0);
    const after = JSON.parse((await run('verify', '--json')).stdout) as { packages: { code: string }[] };
    assert.equal(after.packages[0]!.code, 'SIGNED_NO_POLICY');
  });
});
