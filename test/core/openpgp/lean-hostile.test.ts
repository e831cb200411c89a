import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMessage, enums, generateKey, sign } from 'openpgp';
import type { PrivateKey, SecretKeyPacket } from 'openpgp';
import { ArmoredKeyring } from '../../../src/core/openpgp/keyring.ts';
import { parseLeanSignature } from '../../../src/core/openpgp/lean-signature.ts';
import { verifyDetachedSignature } from '../../../src/core/openpgp/verify.ts';
import { eventsOf } from '../../../src/core/openpgp/lean-keys.ts';

/**
 * Found by a hostile review of the lean OpenPGP path: genuine signatures with bytes nothing signs
 * added (which a registry or a mirror can add), which the lean path took and openpgp.js refuses; and
 * openpgp.js's memory of a soft revocation, which made a verdict depend on the order of checks.
 */
const T0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const data = Buffer.from('archive one\n');

async function signed(privateKey: PrivateKey, date: Date, format: 'binary' | 'armored'): Promise<Buffer> {
  const message = await createMessage({ binary: data });
  return format === 'binary'
    ? Buffer.from(await sign({ message, signingKeys: privateKey, detached: true, format: 'binary', date }))
    : Buffer.from(await sign({ message, signingKeys: privateKey, detached: true, format: 'armored', date }));
}

async function genuine() {
  const { privateKey } = await generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ email: 'publisher@example.com' }],
    date: T0,
    format: 'object',
  });
  return {
    binary: await signed(privateKey, at(100), 'binary'),
    armored: await signed(privateKey, at(100), 'armored'),
    keys: new ArmoredKeyring(privateKey.toPublic().armor()),
  };
}

/** Both paths as the project runs them: the lean one first, and openpgp.js alone. */
async function both(bytes: Buffer, keys: ArmoredKeyring) {
  return {
    lean: await verifyDetachedSignature(data, bytes, keys),
    reference: await verifyDetachedSignature(data, bytes, keys, { referenceOnly: true }),
  };
}

const subpacket = (type: number, body: Buffer) => Buffer.concat([Buffer.from([body.length + 1, type]), body]);

/** A new-format signature packet with `extra` appended to its hashed (then unsigned) or unhashed area. */
function withSubpacket(packet: Buffer, area: 'hashed' | 'unhashed', extra: Buffer): Buffer {
  assert.equal(packet[0], 0xc2, 'a new-format signature packet');
  const [offset, length] = packet[1]! < 192 ? [2, packet[1]!] : [3, ((packet[1]! - 192) << 8) + packet[2]! + 192];
  const body = Buffer.from(packet.subarray(offset, offset + length));
  const hashedEnd = 6 + body.readUInt16BE(4);
  const cut = area === 'hashed' ? hashedEnd : hashedEnd + 2 + body.readUInt16BE(hashedEnd);
  const grown = Buffer.concat([body.subarray(0, cut), extra, body.subarray(cut)]);
  if (area === 'hashed') grown.writeUInt16BE(body.readUInt16BE(4) + extra.length, 4);
  else grown.writeUInt16BE(body.readUInt16BE(hashedEnd) + extra.length, hashedEnd);
  const l = grown.length;
  const header = l < 192 ? Buffer.from([0xc2, l]) : Buffer.from([0xc2, ((l - 192) >> 8) + 192, (l - 192) & 0xff]);
  return Buffer.concat([header, grown]);
}

describe('the lean OpenPGP path leaves to openpgp.js what openpgp.js reads otherwise', () => {
  it('a binary signature that holds the armor line (in a subpacket nothing signs)', async () => {
    const { binary, keys } = await genuine();
    assert.equal((await both(binary, keys)).lean.state, 'valid');
    const bytes = withSubpacket(binary, 'unhashed', subpacket(100, Buffer.from('-----BEGIN PGP SIGNATURE-----')));
    const { lean, reference } = await both(bytes, keys);
    assert.deepEqual(lean, reference);
  });

  it('an embedded signature or signature target subpacket, in either area', async () => {
    const { binary, keys } = await genuine();
    for (const extra of [subpacket(32, Buffer.from([4, 0x19, 22, 8, 0, 0, 0, 0])), subpacket(32, Buffer.alloc(0))]) {
      const { lean, reference } = await both(withSubpacket(binary, 'unhashed', extra), keys);
      assert.deepEqual(lean, reference);
    }
    // In the hashed area the signature no longer matches, but the reader must already give up.
    for (const extra of [subpacket(31, Buffer.from([22, 99, 1, 2, 3])), subpacket(32, Buffer.alloc(0))])
      assert.equal(parseLeanSignature(withSubpacket(binary, 'hashed', extra)), undefined);
  });

  const edits: [string, (armored: string) => string][] = [
    ['a blank line of \\v', (a) => a.replace('-----\n\n', '-----\n\v\n')],
    ['a blank line of one 0xA0 byte', (a) => a.replace('-----\n\n', '-----\n\xa0\n')],
    ['\\v after the BEGIN line', (a) => a.replace('SIGNATURE-----\n', 'SIGNATURE-----\v\n')],
    ['\\f after the BEGIN line', (a) => a.replace('SIGNATURE-----\n', 'SIGNATURE-----\f\n')],
    ['\\v after the END line', (a) => a.replace('-----END PGP SIGNATURE-----', '-----END PGP SIGNATURE-----\v')],
    ['0xA0 after the END line', (a) => a.replace('-----END PGP SIGNATURE-----', '-----END PGP SIGNATURE-----\xa0')],
    [
      '\\v after two base64 lines',
      (a) => {
        let n = 0;
        return a.replace(/^([A-Za-z0-9+/]+={0,2})$/gm, (line) => (n++ < 2 ? `${line}\v` : line));
      },
    ],
  ];
  for (const [what, edit] of edits)
    it(`armor with ${what}`, async () => {
      const { armored, keys } = await genuine();
      const bytes = Buffer.from(edit(armored.toString('latin1')), 'latin1');
      assert.notDeepEqual(bytes, armored, 'the edit applied');
      const { lean, reference } = await both(bytes, keys);
      assert.deepEqual(lean, reference);
    });
});

describe('a soft revocation (a key retired at T0+500s) judged on one keyring', () => {
  for (const what of ['a signing subkey', 'the only user ID'] as const)
    for (const order of [
      [100, 700, 150],
      [700, 150, 100],
    ])
      it(`of ${what}: signatures at T0+${order.join('s, +')}s, each path, the same verdicts in any order`, async () => {
        const { privateKey } = await generateKey({
          type: 'ecc',
          curve: 'ed25519Legacy',
          userIDs: [{ email: 'retired@example.com' }],
          date: T0,
          format: 'object',
          subkeys: what === 'a signing subkey' ? [{ sign: true }] : [],
        });
        const signatures = new Map<number, Buffer>();
        for (const seconds of order) signatures.set(seconds, await signed(privateKey, at(seconds), 'binary'));
        if (what === 'a signing subkey')
          privateKey.subkeys[0] = await privateKey.subkeys[0]!.revoke(
            privateKey.keyPacket as SecretKeyPacket,
            { flag: enums.reasonForRevocation.keyRetired },
            at(500),
          );
        else
          privateKey.users[0] = await privateKey.users[0]!.revoke(
            privateKey.keyPacket as SecretKeyPacket,
            { flag: enums.reasonForRevocation.userIDInvalid },
            at(500),
          );
        const armored = privateKey.toPublic().armor();
        for (const referenceOnly of [false, true]) {
          const keys = new ArmoredKeyring(armored);
          for (const seconds of order) {
            const check = await verifyDetachedSignature(data, signatures.get(seconds)!, keys, { referenceOnly });
            assert.equal(
              check.state,
              seconds < 500 ? 'valid' : 'invalid',
              `${referenceOnly ? 'openpgp.js alone' : 'the lean path'}: the signature made at T0+${seconds}s`,
            );
          }
        }
      });
});

describe('the instants a key can change validity at', () => {
  it('grow with its packets, not with packets times signatures: a key of many expiring subkeys', async () => {
    let { privateKey } = await generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ email: 'many@example.com' }],
      date: T0,
      keyExpirationTime: 10_000_000,
      format: 'object',
    });
    const subkeys = 150;
    for (let n = 1; n <= subkeys; n++)
      privateKey = await privateKey.addSubkey({ sign: true, date: at(n), keyExpirationTime: 1_000_000 + n * 7 });
    const instants = eventsOf(privateKey.toPublic());
    // Each subkey: its creation, its binding's creation (and back-signature's), its expiry. Not 150 × 150.
    assert.ok(instants.length <= 4 * (subkeys + 2), `${instants.length} instants`);
    // The subkeys' expiries counted from their own creation, the primary's from its own.
    assert.ok(instants.includes(Math.floor(at(5).getTime() / 1000) + 1_000_000 + 5 * 7));
    assert.ok(instants.includes(Math.floor(T0.getTime() / 1000) + 10_000_000));
    // And a signature by the last subkey, inside and past its expiry, is judged as openpgp.js judges it.
    const last = privateKey.subkeys.at(-1)!;
    for (const when of [at(subkeys + 1_000), at(subkeys + 1_000_000 + subkeys * 7 + 10)]) {
      const message = await createMessage({ binary: data });
      const signature = Buffer.from(
        await sign({
          message,
          signingKeys: privateKey,
          signingKeyIDs: [last.getKeyID()],
          detached: true,
          format: 'binary',
          date: when,
        }).catch(() => new Uint8Array()),
      );
      if (signature.length === 0) continue;
      const keys = new ArmoredKeyring(privateKey.toPublic().armor());
      const lean = await verifyDetachedSignature(data, signature, keys);
      const reference = await verifyDetachedSignature(data, signature, keys, { referenceOnly: true });
      assert.equal(lean.state, reference.state);
    }
  });
});
