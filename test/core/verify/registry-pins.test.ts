import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pinnedHere, pinRegistryKey, readRegistryPins } from '../../../src/core/verify/evidence/registry-pins.ts';
import { tempDir } from '../../helpers/temp.ts';

describe("this machine's registry key pins", () => {
  const A = 'a'.repeat(64);
  const B = 'b'.repeat(64);
  const url = 'https://aam.team.example';

  it('are taken on first use, kept over a verify that sees another, and extended by an install that takes one', async () => {
    const dir = await tempDir('aam-pins-');
    assert.deepEqual(pinnedHere(await readRegistryPins(dir), url), []);
    await pinRegistryKey(dir, url, A, false);
    await pinRegistryKey(dir, `${url}/`, B, false);
    assert.deepEqual(pinnedHere(await readRegistryPins(dir), url), [A], 'a verify pins only where none is');
    await pinRegistryKey(dir, url, B, true);
    assert.deepEqual(
      pinnedHere(await readRegistryPins(dir), `${url}/`),
      [A, B],
      'a rotation accepted keeps the old key',
    );
    assert.deepEqual(pinnedHere(await readRegistryPins(dir), 'https://other.example'), []);
  });

  it('ignore a file that is not theirs, and entries that are no key ids', async () => {
    const dir = await tempDir('aam-pins-');
    await writeFile(join(dir, 'registry-keys.json'), '{"https://aam.team.example": {"key_ids": ["nope", 3]}}');
    assert.deepEqual(pinnedHere(await readRegistryPins(dir), url), []);
    await writeFile(join(dir, 'registry-keys.json'), 'not json');
    assert.deepEqual(pinnedHere(await readRegistryPins(dir), url), []);
    await pinRegistryKey(dir, url, A, false);
    assert.deepEqual(pinnedHere(await readRegistryPins(dir), url), [A]);
  });
});
