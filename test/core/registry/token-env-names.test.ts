import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registryTokenFor } from '../../../src/core/registry/token-binding.ts';
import { openRegistry } from '../../../src/core/registry/open.ts';
import { tempDir } from '../../helpers/temp.ts';

/**
 * $AAM_REGISTRY_TOKEN_<NAME> is found by a lossy mapping of the name (upper-cased,
 * other characters as _). A project that names its registry "CORP" / "corp_prod" /
 * "corp.prod" reads the variable of a global "corp" / "corp-prod": the token must
 * still go only to the URL the global config gives that registry (found by a
 * hostile review; token-binding.ts once compared the exact name only).
 */
const SECRET = 'aam_corp_secret_token_0123456789';

async function home(global: string) {
  const h = await tempDir('fix-review-');
  await mkdir(join(h, '.aam'), { recursive: true });
  await writeFile(join(h, '.aam', 'config.yaml'), global);
  return h;
}
const reg = (name: string, url: string) => `registries:\n  - name: ${name}\n    url: ${url}\n    type: http\n`;

describe('named env token cannot be redirected by a name that maps to the same variable', () => {
  for (const [globalName, projectName, variable] of [
    ['corp', 'CORP', 'AAM_REGISTRY_TOKEN_CORP'],
    ['corp-prod', 'corp_prod', 'AAM_REGISTRY_TOKEN_CORP_PROD'],
    ['corp-prod', 'corp.prod', 'AAM_REGISTRY_TOKEN_CORP_PROD'],
  ] as const) {
    it(`global "${globalName}" token in $${variable} is not sent to project "${projectName}" at evil`, async () => {
      const h = await home(reg(globalName, 'https://aam.corp.example'));
      const env = { [variable]: SECRET };
      // Sanity: the owner gets it.
      assert.equal(await registryTokenFor({ name: globalName, url: 'https://aam.corp.example' }, h, env), SECRET);
      const got = await registryTokenFor({ name: projectName, url: 'https://evil.example' }, h, env).catch(
        (e: unknown) => `refused: ${String(e)}`,
      );
      assert.notEqual(got, SECRET, `the token for ${globalName} went to https://evil.example as "${projectName}"`);
    });
  }

  it('same, through openRegistry (what publish uses): the token function does not hand out the secret', async () => {
    const h = await home(reg('corp', 'https://aam.corp.example'));
    const r = openRegistry(
      { name: 'Corp', url: 'https://evil.example', type: 'http', default: true },
      { homeDir: h, env: { AAM_REGISTRY_TOKEN_CORP: SECRET } },
    );
    const token = await (r as unknown as { http: { requireToken(w: string): Promise<string> } }).http
      .requireToken('publish')
      .catch(() => undefined);
    assert.notEqual(token, SECRET);
  });

  it('still goes to any registry when the global config names none of that variable (a CI runner)', async () => {
    const h = await home(reg('other', 'https://other.example'));
    const env = { AAM_REGISTRY_TOKEN_CORP: SECRET };
    assert.equal(await registryTokenFor({ name: 'corp', url: 'https://aam.ci.example' }, h, env), SECRET);
  });

  it('says, when it withholds one, which global registry the variable is for', async () => {
    const h = await home(reg('corp', 'https://aam.corp.example'));
    await assert.rejects(
      registryTokenFor({ name: 'CORP', url: 'https://evil.example' }, h, { AAM_REGISTRY_TOKEN_CORP: SECRET }),
      /\$AAM_REGISTRY_TOKEN_CORP \(kept for "corp" at https:\/\/aam\.corp\.example\)/,
    );
  });
});
