import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { stringify } from 'yaml';
import { validateConfigText } from '../../../src/core/config/validate.ts';
import { random } from '../../helpers/bundle-mutations.ts';

/**
 * Duplicate trusted identities are found by a canonical text per entry, not by the schema's
 * uniqueItems (Ajv compares every pair of entries that may be mappings: quadratic, and a long
 * list in a pull request's config held the editor for seconds). The finding is the one Ajv
 * would give, compared here with Ajv on random lists.
 */
describe('duplicate entries of trusted_identities', () => {
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  const unique = ajv.compile({ type: 'array', items: { type: ['string', 'object'] }, uniqueItems: true });
  const reported = (list: unknown[]) =>
    validateConfigText(stringify({ security: { trusted_identities: list } }))
      .diagnostics.filter((d) => d.code === 'DUPLICATE_ENTRY')
      .map((d) => d.message);

  it('names the pair Ajv names, on 400 random lists of patterns and pinned entries', () => {
    const next = random(22);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const names = ['a@example.com', 'b@example.com', '*@example.com', 'github:acme'];
    const issuers = ['https://accounts.google.com', 'https://github.com/login/oauth'];
    for (let round = 0; round < 400; round++) {
      const list = Array.from({ length: 1 + Math.floor(next() * 8) }, () =>
        next() < 0.5
          ? pick(names)
          : next() < 0.5
            ? { identity: pick(names), issuer: pick(issuers) }
            : { issuer: pick(issuers), identity: pick(names) },
      );
      const expected = unique(list)
        ? []
        : (unique.errors ?? []).map(({ params }) => {
            const { i, j } = params as { i: number; j: number };
            return `security.trusted_identities lists the same entry twice (items ${Math.min(i, j) + 1} and ${Math.max(i, j) + 1}).`;
          });
      assert.deepEqual(reported(list), expected, JSON.stringify(list));
    }
  });

  it('finds the one duplicate in a list of 40,000 entries', () => {
    const list = Array.from({ length: 40_000 }, (_, i) => `u${i}@example.com`);
    list.push({ identity: 'u5@example.com', issuer: 'https://accounts.google.com' } as never, 'u7@example.com');
    assert.deepEqual(reported(list), ['security.trusted_identities lists the same entry twice (items 8 and 40002).']);
  });

  it('reports each of 150,000 unknown keys, without throwing', () => {
    const text = Array.from({ length: 150_000 }, (_, i) => `k${i}: 1`).join('\n');
    const { diagnostics } = validateConfigText(text);
    assert.equal(diagnostics.length, 150_000);
  });
});
