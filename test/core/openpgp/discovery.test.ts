import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMessage, generateKey, PacketList, readKey, sign, UserIDPacket } from 'openpgp';
import { LocalKeyServer } from '../../../dev/keyserver.ts';
import { isAamError } from '../../../src/core/errors.ts';
import { discoverKey, lookupUrls, parseKeyQuery } from '../../../src/core/openpgp/discovery.ts';
import { runGpg } from '../../../src/core/openpgp/gnupg.ts';
import { ArmoredKeyring } from '../../../src/core/openpgp/keyring.ts';
import { verifyDetachedSignature } from '../../../src/core/openpgp/verify.ts';
import { makeGpgHome } from '../../helpers/gpg.ts';

/** The key with a user ID packet no signature binds, placed first: anyone can do this to anyone's key. */
async function withUnsignedUserId(armored: string, userId: { name: string; email: string }): Promise<string> {
  const packets = (await readKey({ armoredKey: armored })).toPacketList();
  const list = new PacketList();
  list.push(packets[0]!, UserIDPacket.fromObject(userId), ...packets.slice(1));
  return (await readKey({ binaryKey: list.write() })).armor();
}

describe('key discovery takes only the user IDs a key vouches for', () => {
  let server: LocalKeyServer;
  before(async () => void (server = await LocalKeyServer.start()));
  after(async () => server?.close());
  const byEmail = (email: string) => discoverKey({ kind: 'email', email }, { wkdOrigins: () => [server.url] });

  it('refuses a key for an email that only an unsigned user ID of it carries', async () => {
    const { publicKey } = await generateKey({ userIDs: [{ name: 'Mallory', email: 'mallory@evil.io' }] });
    server.lie('alice@example.com', await withUnsignedUserId(publicKey, { name: 'Alice', email: 'alice@example.com' }));
    await assert.rejects(
      byEmail('alice@example.com'),
      (e) =>
        isAamError(e, 'KEY_REFUSED') &&
        /which has no user ID with alice@example\.com \(the one it lists is not signed by the key, or was revoked\)/.test(
          e.message,
        ),
    );
  });

  it('refuses a key for an email whose user ID its owner revoked', async () => {
    const gpg = await makeGpgHome([{ uid: 'Old <old@example.com>', algo: 'ed25519' }]);
    const fingerprint = gpg.fingerprints['Old <old@example.com>']!;
    const run = (...args: string[]) =>
      runGpg(['--pinentry-mode', 'loopback', '--passphrase', '', ...args], { gpgHome: gpg.home });
    assert.equal((await run('--quick-add-uid', fingerprint, 'Carol <carol@example.com>')).code, 0);
    assert.equal((await run('--quick-revoke-uid', fingerprint, 'Carol <carol@example.com>')).code, 0);
    server.lie('carol@example.com', (await run('--armor', '--export', fingerprint)).stdout.toString());
    await assert.rejects(byEmail('carol@example.com'), (e) => isAamError(e, 'KEY_REFUSED'));
    server.lie('old@example.com', (await run('--armor', '--export', fingerprint)).stdout.toString());
    const { found } = await byEmail('old@example.com');
    assert.deepEqual(found.userIds, ['Old <old@example.com>']);
  });

  it('a key served with an unsigned user ID first is shown, and names its signer, by its own user ID only', async () => {
    const { publicKey, privateKey } = await generateKey({
      userIDs: [{ name: 'Bob', email: 'bob@partner.io' }],
      format: 'object',
    });
    const fingerprint = publicKey.getFingerprint().toUpperCase();
    server.lie(
      fingerprint,
      await withUnsignedUserId(publicKey.armor(), { name: 'Linus Torvalds', email: 'torvalds@kernel.org' }),
    );
    const { found } = await discoverKey({ kind: 'fingerprint', fingerprint }, { keyserver: server.url });
    assert.deepEqual(found.userIds, ['Bob <bob@partner.io>']);
    const data = new TextEncoder().encode('an archive');
    const signature = (await sign({
      message: await createMessage({ binary: data }),
      signingKeys: privateKey,
      detached: true,
      format: 'binary',
    })) as Uint8Array;
    for (const referenceOnly of [false, true]) {
      const check = await verifyDetachedSignature(data, signature, new ArmoredKeyring(found.armored), {
        referenceOnly,
      });
      assert.ok(check.state === 'valid' && check.signer.type === 'gpg', JSON.stringify(check));
      assert.deepEqual(check.signer.userIds, ['Bob <bob@partner.io>'], `referenceOnly: ${referenceOnly}`);
    }
  });
});

describe('key discovery reads at most 1 MB of an answer', () => {
  let server: Server;
  let url: string;
  let sent = 0;
  before(async () => {
    server = createServer(async (req, res) => {
      const declared = req.url?.includes('declared');
      res.writeHead(200, declared ? { 'content-length': String(64 * 1024 * 1024) } : {});
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      let closed = false;
      res.on('close', () => void (closed = true));
      while (sent < 64 * 1024 * 1024 && !closed) {
        sent += chunk.length;
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      }
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  for (const how of ['streamed', 'declared'])
    it(`stops reading an answer ${how} larger than 1 MB, and says why`, async () => {
      sent = 0;
      await assert.rejects(
        discoverKey({ kind: 'fingerprint', fingerprint: 'A'.repeat(40) }, { keyserver: `${url}/${how}` }),
        /refused, more than 1 MB/,
      );
      // Socket buffers let the server get some megabytes ahead; reading it all would take 64.
      assert.ok(sent < 16 * 1024 * 1024, `the server sent ${(sent / 1048576).toFixed(0)} MB`);
    });
});

describe('an email query names a domain, and nothing else', () => {
  for (const query of ['x@evil.com/../../admin?.y', 'x@127.0.0.1:8443/#.x', 'x@example.com#.evil.io', 'x@10.0.0.1'])
    it(`refuses "${query}", which would send the Web Key Directory lookup elsewhere`, () => {
      assert.throws(
        () => parseKeyQuery(query),
        (e) => isAamError(e, 'USAGE') && /is not an email address: ".*" is not a domain name/.test(e.message),
      );
    });

  it('takes an ordinary address, and looks it up at its domain only', () => {
    const query = parseKeyQuery('Alice.B+aam@Mail.Example.co.uk');
    assert.deepEqual(query, { kind: 'email', email: 'Alice.B+aam@Mail.Example.co.uk' });
    for (const { url } of lookupUrls(query, {}))
      assert.match(new URL(url).host, /^(openpgpkey\.)?mail\.example\.co\.uk$/);
  });
});

/** newuser-review 9: with no network every source failed, and the error said "No key found … check the address". */
describe('a lookup no source answers', () => {
  it('says no source could be reached, with why, and points at the network', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(
      discoverKey({ kind: 'fingerprint', fingerprint: 'A'.repeat(40) }, { keyserver: `http://127.0.0.1:${port}` }),
      (error: Error & { hint?: string }) => {
        assert.match(
          error.message,
          /^No key source could be reached for A{40}:\n {2}http:\/\/127\.0\.0\.1:\d+\S*: fetch failed \(ECONNREFUSED\)/,
        );
        assert.match(error.hint ?? '', /Check the network/);
        return true;
      },
    );
  });

  it('a source that answers "not found" is still "No key found"', async () => {
    const empty = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => empty.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(empty.address() as { port: number }).port}`;
    try {
      await assert.rejects(
        discoverKey({ kind: 'fingerprint', fingerprint: 'A'.repeat(40) }, { keyserver: url }),
        /^AamError: No key found for A{40}:\n.*HTTP 404/,
      );
    } finally {
      empty.close();
    }
  });
});
