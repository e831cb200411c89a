import { after, before, describe, it } from 'node:test';
import { createServer } from 'node:http';
import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateKey } from 'openpgp';
import { signDetached } from '../../src/core/openpgp/sign.ts';
import { mirrorRootOf } from '../../src/core/registry/http-mirror.ts';
import {
  DELEGATION_TYPE,
  documentBytes,
  REVOCATION_TYPE,
  signedDocumentFile,
} from '../../src/core/signature/delegation-file.ts';
import { evidenceSource } from '../../src/core/verify/evidence/sources.ts';
import { syncHttpMirrors } from '../../src/core/verify/mirror-sync.ts';
import type { LockedPackage } from '../../src/core/lockfile/lockfile.ts';
import { startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * diff10-review H1: verification counts the revocations every configured registry holds (spec3-review A),
 * read from each HTTP registry's mirror, but only registries a lock entry named were asked: a lock entry
 * pointed at a copy of the team registry left the team's mirror empty on a fresh runner, and its revocation
 * unread. Every HTTP registry configured here, the global config's own included, is asked for its delegations.
 */
describe('the revocations of an HTTP registry no lock entry names', () => {
  let registry: TestRegistry;
  let revocationName: string;

  before(async () => {
    registry = await startTestRegistry({ name: 'team' });
    const alice = await registry.token('alice', ['publish']);
    const { privateKey, publicKey } = await generateKey({
      userIDs: [{ email: 'alice@example.com' }],
      format: 'object',
    });
    const key = {
      key: privateKey,
      fingerprint: privateKey.getFingerprint().toUpperCase(),
      userIds: privateKey.getUserIDs(),
    };
    const signed = async (document: Buffer) =>
      signedDocumentFile({
        document,
        signature: { type: 'gpg', bytes: await signDetached(document, key), publicKey: publicKey.armor() },
      });
    const delegation = await signed(
      documentBytes({
        type: DELEGATION_TYPE,
        pattern: '@alice/*',
        delegate: { identity: 'bob@partner.io' },
        until: '2030-01-01T00:00:00.000Z',
        issued_at: new Date().toISOString(),
        max_depth: 0,
      }),
    );
    await registry.client(alice).addDelegation(delegation);
    const revocation = await signed(
      documentBytes({
        type: REVOCATION_TYPE,
        delegation: `sha256:${delegation.name.replace(/\.json$/, '')}`,
        reason: 'bob lost his key',
        revoked_at: new Date().toISOString(),
      }),
    );
    await registry.client(alice).addDelegation(revocation);
    revocationName = revocation.name;
  });
  after(async () => registry?.close());

  it('is brought to its mirror, and read from it, when the entry names another registry', async () => {
    const root = await tempDir('aam-h1-');
    const cacheDir = join(root, 'cache');
    const copy = join(root, 'copy');
    await mkdir(copy, { recursive: true });
    const team = { name: 'team', url: registry.url, type: 'http' as const, default: true };
    const mirror = { name: 'mirror', url: pathToFileURL(copy).href, type: 'local' as const, default: false };
    const entry = { version: '1.0.0', source: 'mirror', checksum: `sha256:${'0'.repeat(64)}` } as LockedPackage;
    // The project's list names only its copy; the team registry is the global config's.
    await syncHttpMirrors(['@alice/tool'], { '@alice/tool': entry }, [mirror], cacheDir, root, [team]);
    const teamMirror = mirrorRootOf(cacheDir, 'team');
    assert.ok((await readdir(join(teamMirror, 'delegations'))).includes(revocationName));
    const source = evidenceSource(entry, [mirror], cacheDir, false, new Map(), [team]);
    assert.ok(source.otherRegistries?.includes(teamMirror));
  });

  it('waits on a registry no package comes from for one try, and one it cannot open is left out (diff11-review R3, X1)', async () => {
    let asked = 0;
    // Accepts the connection and never answers.
    const hung = createServer(() => void asked++);
    await new Promise<void>((ready) => hung.listen(0, '127.0.0.1', ready));
    try {
      const root = await tempDir('aam-r3-');
      const port = (hung.address() as { port: number }).port;
      const others = [
        { name: 'hung', url: `http://127.0.0.1:${port}`, type: 'http' as const, default: false },
        { name: 'unopenable', url: 'registry.example.com', type: 'http' as const, default: false },
      ];
      const entry = { version: '1.0.0', source: 'mirror', checksum: `sha256:${'0'.repeat(64)}` } as LockedPackage;
      const unreachable = await syncHttpMirrors(
        ['@alice/tool'],
        { '@alice/tool': entry },
        [],
        join(root, 'cache'),
        root,
        others,
      );
      assert.equal(asked, 1, 'one try, not three');
      // The silent one is named (its revocations are not known: diff11-review R4); the other was never asked.
      assert.deepEqual([...unreachable.keys()], ['hung']);
    } finally {
      hung.closeAllConnections();
      hung.close();
    }
  });
});
