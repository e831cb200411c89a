import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collisionKey } from '../../../src/core/archive/entry-path.ts';

/**
 * Two names one file system keeps as one (macOS and Windows fold case and
 * normalise): an archive holding both, or a deployed copy with the other
 * beside it, must be seen. Lower-casing alone kept `ſ` apart from `s` and `ς`
 * from `σ`, which those systems fold together (diff5-review suspicion).
 */
describe('collisionKey', () => {
  const same: [string, string][] = [
    ['CLAUDE.md', 'claude.md'],
    ['.cursor', '.cur\u017For'], // ſ, LATIN SMALL LETTER LONG S: upper case S
    ['\u03C3\u03BF\u03C6\u03CC\u03C2', '\u03A3\u039F\u03A6\u038C\u03A3'], // final sigma and capital sigma
    ['a\u03C2.md', 'a\u03C3.md'], // final sigma where lower-casing keeps it
    ['\u212Aey', 'key'], // KELVIN SIGN
    ['stra\u1E9Ee', 'stra\u00DFe'], // capital sharp s and sharp s
    ['caf\u00E9', 'cafe\u0301'], // composed and decomposed
  ];
  for (const [a, b] of same)
    it(`${JSON.stringify(a)} and ${JSON.stringify(b)} collide`, () => assert.equal(collisionKey(a), collisionKey(b)));

  const apart: [string, string][] = [
    ['stra\u00DFe', 'strasse'], // neither system turns ß into two letters
    ['file', 'fi1e'],
    ['\uFB00', 'ff'], // the ligature's upper case is two letters
  ];
  for (const [a, b] of apart)
    it(`${JSON.stringify(a)} and ${JSON.stringify(b)} do not`, () => assert.notEqual(collisionKey(a), collisionKey(b)));
});
