import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDelegations } from '../../../src/core/registry/http-mirror.ts';
import { MAX_DELEGATION_FILES } from '../../../src/core/registry/local-signatures.ts';
import type { HttpRegistry } from '../../../src/core/registry/http-registry.ts';
import {
  DELEGATION_TYPE,
  documentBytes,
  documentId,
  REVOCATION_TYPE,
  signedDocumentFile,
} from '../../../src/core/signature/delegation-file.ts';
import { tempDir } from '../../helpers/temp.ts';

/**
 * spec3-review A′: an HTTP registry's mirror took away whatever the registry stopped serving, so a registry
 * that dropped a revocation (compromised, or replaying an old listing) un-revoked its delegation for every
 * client. The registry here is a stand-in that serves what a hostile one would: this project's server never
 * drops a delegator's revocation.
 */
const file = (document: Buffer) =>
  signedDocumentFile({ document, signature: { type: 'gpg', bytes: Buffer.from('not checked here') } });

const delegation = file(
  documentBytes({
    type: DELEGATION_TYPE,
    pattern: '@acme/*',
    delegate: { identity: 'bob@partner.io' },
    until: '2030-01-01T00:00:00.000Z',
    issued_at: '2026-01-01T00:00:00.000Z',
    max_depth: 0,
  }),
);
const revocation = file(
  documentBytes({
    type: REVOCATION_TYPE,
    delegation: documentId(Buffer.from(JSON.parse(delegation.bytes.toString('utf8')).document, 'base64')),
    reason: 'bob lost his key',
    revoked_at: '2026-06-01T00:00:00.000Z',
  }),
);
const serving = (files: { name: string; bytes: Buffer }[]) =>
  ({ readDelegations: async () => files }) as unknown as HttpRegistry;

describe("an HTTP registry's mirror of delegations", () => {
  it('keeps a revocation the registry no longer serves, and lets a delegation it no longer serves go', async () => {
    const root = await tempDir('aam-mirror-');
    await syncDelegations(serving([delegation, revocation]), root);
    assert.deepEqual((await readdir(join(root, 'delegations'))).sort(), [delegation.name, revocation.name].sort());
    await syncDelegations(serving([]), root);
    assert.deepEqual(await readdir(join(root, 'delegations')), [revocation.name]);
  });

  it('never keeps so many that the folder holds more than clients read (diff10-review R2)', async () => {
    const root = await tempDir('aam-mirror-');
    const junk = Array.from({ length: 300 }, (_, i) =>
      file(
        documentBytes({
          type: REVOCATION_TYPE,
          delegation: `sha256:${i.toString(16).padStart(64, '0')}`,
          reason: `junk ${i}`,
          revoked_at: '2026-06-01T00:00:00.000Z',
        }),
      ),
    );
    await syncDelegations(serving(junk.slice(0, 200)), root);
    await syncDelegations(serving(junk.slice(200)), root);
    assert.equal((await readdir(join(root, 'delegations'))).length, MAX_DELEGATION_FILES);
    await syncDelegations(serving([delegation]), root);
    const kept = await readdir(join(root, 'delegations'));
    assert.equal(kept.length, MAX_DELEGATION_FILES);
    assert.ok(kept.includes(delegation.name));
  });
});
