import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../../src/core/config/load.ts';
import { signingSetting } from '../../../src/core/sigstore/signing-instance.ts';
import type { AamError } from '../../../src/core/errors.ts';
import { tempDir } from '../../helpers/temp.ts';

/** Loads a global and a project config with these `security:` sections. */
async function configs(global: string, project: string, restricted = false) {
  const root = await tempDir('aam-signing-instance-');
  await mkdir(join(root, 'home', '.aam'), { recursive: true });
  await mkdir(join(root, 'project', '.aam'), { recursive: true });
  await writeFile(join(root, 'home', '.aam', 'config.yaml'), `security:\n${global || '  {}'}\n`);
  await writeFile(join(root, 'project', '.aam', 'config.yaml'), `security:\n${project || '  {}'}\n`);
  return loadConfig({ homeDir: join(root, 'home'), projectDir: join(root, 'project'), env: {}, restricted });
}

describe('signingSetting: where signing sends the identity token is the global config’s to say', () => {
  it('takes the global value, or the default, when the project says nothing or the same', async () => {
    const config = await configs('  sigstore_endpoint: https://sigstore.corp.example', '');
    assert.equal(signingSetting(config, 'sigstore_endpoint'), 'https://sigstore.corp.example');
    assert.equal(signingSetting(config, 'sigstore_oidc_issuer'), 'https://oauth2.sigstore.dev/auth');
    const same = await configs(
      '  sigstore_endpoint: https://sigstore.corp.example',
      '  sigstore_endpoint: https://sigstore.corp.example\n  sigstore_oidc_issuer: https://oauth2.sigstore.dev/auth',
    );
    assert.equal(signingSetting(same, 'sigstore_endpoint'), 'https://sigstore.corp.example');
    assert.equal(signingSetting(same, 'sigstore_oidc_issuer'), 'https://oauth2.sigstore.dev/auth');
  });

  for (const restricted of [false, true])
    it(`refuses a project value that differs, naming the key, both values and the next step (restricted: ${restricted})`, async () => {
      const config = await configs(
        '  sigstore_oidc_issuer: https://login.corp.example',
        '  sigstore_oidc_issuer: https://login.evil.example',
        restricted,
      );
      assert.throws(
        () => signingSetting(config, 'sigstore_oidc_issuer'),
        (error: AamError) => {
          assert.equal(error.code, 'CONFIG_INVALID');
          assert.match(error.message, /sets security\.sigstore_oidc_issuer to https:\/\/login\.evil\.example/);
          assert.match(error.message, /has https:\/\/login\.corp\.example/);
          assert.equal(error.expected, 'https://login.corp.example (global config)');
          assert.equal(error.actual, 'https://login.evil.example (project config)');
          assert.match(error.hint ?? '', /move security\.sigstore_oidc_issuer to .*config\.yaml/);
          assert.doesNotMatch(error.hint ?? '', /or pass/, 'no option named where the surface has none');
          return true;
        },
      );
    });

  it('a value given for the run stands over both files', async () => {
    const config = await configs('', '  sigstore_endpoint: https://sigstore.evil.example');
    assert.throws(
      () => signingSetting(config, 'sigstore_endpoint', { value: undefined, option: '--sigstore-endpoint' }),
      (error: AamError) => /or pass --sigstore-endpoint https:\/\/sigstore\.evil\.example/.test(error.hint ?? ''),
    );
    assert.equal(
      signingSetting(config, 'sigstore_endpoint', { value: 'https://sigstore.mine.example', option: '--x' }),
      'https://sigstore.mine.example',
    );
  });
});
