import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiToken, logIn } from '../../../src/core/registry/accounts.ts';
import type { HttpRegistry } from '../../../src/core/registry/http-registry.ts';
import { isAamError } from '../../../src/core/errors.ts';

/** A registry that answers every call with `answer`. */
function answering(answer: unknown): HttpRegistry {
  return { name: 'shady', call: async () => answer } as unknown as HttpRegistry;
}

const HOSTILE = [
  't\u2028  official:\u2028    token: aam_attacker',
  't\u2029x',
  't\u0085x',
  'aam_\u202eabc',
  'aam token',
  'aam_\ttoken',
  'aam_\u00e9',
  '',
];

describe('tokens a registry hands out', () => {
  it('are kept when they are printable ASCII without spaces', async () => {
    const token = 'aam_AbC-_.~+/=09';
    assert.equal((await logIn(answering({ token, expires_at: 'x' }), 'u', 'p')).token, token);
    assert.equal((await createApiToken(answering({ id: '1', token }), 's', { name: 'n', scopes: [] })).token, token);
  });

  for (const token of HOSTILE) {
    const shown = token.replace(/[^\x21-\x7e]/g, (c) => `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    it(`are refused from a login or a new API token: "${shown}"`, async () => {
      const refused = (error: unknown) =>
        isAamError(error, 'REGISTRY_ERROR') && /"shady".*(not printable ASCII|without a token)/.test(error.message);
      await assert.rejects(() => logIn(answering({ token }), 'u', 'p'), refused);
      await assert.rejects(
        () => createApiToken(answering({ id: '1', token }), 's', { name: 'n', scopes: [] }),
        refused,
      );
    });
  }

  it('are refused when the answer has none', async () => {
    await assert.rejects(() => logIn(answering({}), 'u', 'p'), /answered a login without a token/);
    await assert.rejects(
      () => createApiToken(answering({ id: '1' }), 's', { name: 'n', scopes: [] }),
      /answered a new API token without a token/,
    );
  });
});
