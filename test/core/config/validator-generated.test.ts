import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { GENERATED, validatorCode } from '../../../scripts/config-validator.ts';

describe('the config validator compiled at build time', () => {
  it('is what Ajv makes of the schema now (run `node scripts/config-validator.ts` after changing the schema)', async () => {
    assert.equal(await readFile(GENERATED, 'utf8'), await validatorCode());
  });
});
