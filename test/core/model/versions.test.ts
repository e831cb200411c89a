import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bestMatch, compareVersions, isValidVersion, parseVersion } from '../../../src/core/model/versions.ts';

const order = (a: string, b: string) => Math.sign(compareVersions(parseVersion(a), parseVersion(b)));

/**
 * Numbers in a version are compared exactly. Above Number.MAX_SAFE_INTEGER a JavaScript number
 * is not exact: 2^53 + 1 and 2^53 compared equal, "latest" was the lower one, and a range's
 * upper bound let the higher one through. Such a version is not valid (npm's semver says so too).
 */
describe('versions with large numbers', () => {
  it('are valid up to Number.MAX_SAFE_INTEGER, and not above', () => {
    assert.ok(isValidVersion('9007199254740991.0.0'));
    for (const raw of ['9007199254740992.0.0', '1.9007199254740993.0', '1.0.100000000000000000000']) {
      assert.equal(isValidVersion(raw), false, raw);
      assert.throws(() => parseVersion(raw), /is not a valid version: MAJOR, MINOR and PATCH are at most/);
    }
  });

  it('order pre-release numbers exactly at any length, and as before otherwise', () => {
    assert.equal(order('1.0.0-9007199254740993', '1.0.0-9007199254740992'), 1);
    assert.equal(order('1.0.0-rc.10', '1.0.0-rc.9'), 1);
    assert.equal(order('1.0.0-rc.1', '1.0.0-rc.1.0'), -1);
    assert.equal(order('1.0.0-2', '1.0.0-alpha'), -1);
    assert.equal(order('1.0.0-alpha', '1.0.0'), -1);
    assert.equal(order('1.0.0-01', '1.0.0-1'), -1, 'equal values: by their text, as before');
  });

  it('resolve a range to a version inside it', () => {
    const available = ['9007199254740990.0.0', '9007199254740991.0.0'];
    assert.equal(bestMatch('<=9007199254740990.0.0', available), '9007199254740990.0.0');
    assert.equal(bestMatch('^9007199254740990.0.0', available), '9007199254740990.0.0');
    assert.equal(bestMatch('^9007199254740991.0.0', available), '9007199254740991.0.0');
    assert.equal(bestMatch('~1.9007199254740991.0', ['1.9007199254740991.5']), '1.9007199254740991.5');
  });
});
