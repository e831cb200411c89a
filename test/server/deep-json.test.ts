import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../src/core/model/json-depth.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import { approvalDocument, parseApprovalDocument } from '../../src/core/registry/approval.ts';
import { parseBundle } from '../../src/core/sigstore/bundle-file.ts';

const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;

/**
 * A JSON body's nesting is measured before it is parsed (amplify-review F3): JSON.parse of a million
 * nested arrays, a 2 MB approval any account could send, held the server's only thread for 0.7 s.
 */
describe('request bodies nested too deep', () => {
  it('counts arrays and objects, not brackets inside strings, in valid JSON or not', () => {
    assert.equal(nestedDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH), false);
    assert.equal(nestedDeeperThan(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH), true);
    assert.equal(nestedDeeperThan(`${'{"a":'.repeat(3)}1}}}`, 2), true);
    assert.equal(nestedDeeperThan(`[${'['.repeat(3)}"]]]"]`, 1), true, 'a string does not close anything');
    assert.equal(nestedDeeperThan(`{"k": "${'[{'.repeat(100)}\\" [[["}`, 1), false, 'nor open anything');
    assert.equal(nestedDeeperThan(`["\\\\", [[`, 2), true, 'an escaped backslash ends before the quote');
    assert.equal(nestedDeeperThan(`"${'['.repeat(10)}`, 1), false, 'an unterminated string runs to the end');
    assert.equal(nestedDeeperThan(']]]]' + nested(3), 3), false);
  });

  it('holds documents inside a request to it too: an approval and a Sigstore bundle', () => {
    // The approval document travels base64 in the body, a string the body's check skips (diff2-review 2).
    assert.equal(parseApprovalDocument(Buffer.from(nested(1_000_000))), undefined);
    assert.equal(parseApprovalDocument(Buffer.from(`{"a":${'1'.repeat(70 * 1024)}}`)), undefined);
    const document = approvalDocument({
      registry: 'corp',
      package: 'atool',
      version: '1.0.0',
      sha256: 'a'.repeat(64),
      status: 'approved',
      comment: 'x'.repeat(4096),
      at: '2026-12-06T00:00:00Z',
    });
    assert.equal(parseApprovalDocument(document)?.comment.length, 4096);
    assert.deepEqual(parseBundle(Buffer.from(`{"mediaType":${nested(100)}}`)), {
      ok: false,
      reason: `the bundle nests more than ${MAX_JSON_DEPTH} arrays or objects in one another`,
    });
  });

  it('refuses a deep approval from a read-only session before parsing it', async () => {
    const registry = await startTestRegistry();
    try {
      const alice = await registry.token('alice', ['publish']);
      await registry.client(alice).publish(await packPackage('atool', '1.0.0'), []);
      const reader = await registry.token('mallory', ['read']);
      const post = async (body: string) => {
        const response = await fetch(`${registry.url}/api/v1/packages/atool/1.0.0/approve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' },
          body,
        });
        return [response.status, ((await response.json()) as { message: string }).message] as const;
      };
      const [status, message] = await post(nested(1_000_000));
      assert.equal(status, 400);
      assert.equal(message, `The body nests more than ${MAX_JSON_DEPTH} arrays or objects in one another.`);
      // Within the depth, the body is parsed and judged as before.
      const [shallow, said] = await post(nested(MAX_JSON_DEPTH));
      assert.equal(shallow, 400);
      assert.doesNotMatch(said, /nests/);
    } finally {
      await registry.close();
    }
  });
});
