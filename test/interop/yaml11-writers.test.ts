import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { applyConfigEdits } from '../../src/core/config/edit.ts';
import { mergeConfigFiles } from '../../src/core/config/load.ts';
import { trustOptionsFor, trustPlanFor } from '../../src/core/config/trust-entries.ts';
import { validateConfigText } from '../../src/core/config/validate.ts';
import { saveRegistryToken } from '../../src/core/registry/credentials.ts';
import { parseYamlMapping } from '../../src/core/yaml/io.ts';
import { ensureAamCli } from '../../scripts/tools.ts';
import { aamOk } from '../helpers/aam.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * The files AAM Trust writes, read by the AAM CLI's own PyYAML (YAML 1.1),
 * where U+0085, U+2028 and U+2029 are line breaks: the values both tools
 * read must be the same (SPEC §1), whatever strings a certificate or a
 * registry put in them.
 */
const L = '\u2028';

/** What the AAM CLI's PyYAML reads in `path`, as JSON. */
async function pyyaml(path: string): Promise<unknown> {
  const python = join(dirname(await ensureAamCli()), 'python');
  const script =
    'import sys,json,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1],encoding="utf-8")), default=str))';
  const { stdout } = await promisify(execFile)(python, ['-c', script, path]);
  return JSON.parse(stdout);
}

describe('YAML 1.1 line breaks in what AAM Trust writes, read by the AAM CLI', () => {
  it('"Trust this signer" with an issuer holding U+2028 leaves on_signature_failure as it was for aam', async () => {
    const home = await tempDir('aam-y11-');
    await mkdir(join(home, '.aam'));
    const globalText = 'security:\n  on_signature_failure: error\n  require_signature: true\n';
    const issuer = `https://issuer.example${L}  on_signature_failure:${L}    ignore${L}  zz:${L}      q:${L}        r`;
    const signer = {
      type: 'sigstore' as const,
      identity: { san: 'alice@example.com', sanType: 'email' as const, issuer },
      tlog: undefined,
      signedAt: undefined,
    };
    const value = validateConfigText(globalText).value;
    const config = mergeConfigFiles([{ layer: 'global', path: '/g', exists: true, diagnostics: [], value }], false);
    const plan = trustPlanFor(signer, trustOptionsFor(signer)[0]!, {
      layer: 'global',
      value,
      effective: config.security,
    });
    const path = join(home, '.aam', 'config.yaml');
    await writeFile(path, applyConfigEdits(globalText, plan.edits));
    assert.deepEqual(await pyyaml(path), validateConfigText(await readFile(path, 'utf8')).value);
    const said = await aamOk(['config', 'get', 'security.on_signature_failure'], { cwd: home, home });
    assert.match(said, /security\.on_signature_failure = error/);
  });

  it('a token holding U+2028 does not replace, for aam, the token kept for another registry', async () => {
    const home = await tempDir('aam-y11-');
    await saveRegistryToken('official', 'https://official.example', 'aam_user_real', home, {});
    const evil = `t${L}  official:${L}    token:${L}      aam_attacker${L}    zz:${L}      q:${L}        r`;
    const path = await saveRegistryToken(`shady${L}x`, 'https://shady.example', evil, home, {});
    const theirs = (await pyyaml(path)) as { tokens: Record<string, { token: string }> };
    assert.deepEqual(theirs, parseYamlMapping(await readFile(path, 'utf8'), path, 'CONFIG_INVALID'));
    assert.equal(theirs.tokens.official!.token, 'aam_user_real');
    assert.equal(theirs.tokens[`shady${L}x`]!.token, evil);
  });

  it('words YAML 1.1 reads as booleans or dates stay strings for aam', async () => {
    const dir = await tempDir('aam-y11-');
    const path = join(dir, 'config.yaml');
    await writeFile(
      path,
      applyConfigEdits('', [
        { op: 'set', path: ['security', 'gpg_key'], value: 'yes' },
        { op: 'add-to-list', path: ['security', 'allowed_registries'], value: '2026-01-01' },
        { op: 'add-to-list', path: ['security', 'allowed_registries'], value: 'off' },
        { op: 'set', path: ['security', 'gpg_home'], value: `/a\u0085b\u2029c` },
      ]),
    );
    assert.deepEqual(await pyyaml(path), {
      security: { gpg_key: 'yes', allowed_registries: ['2026-01-01', 'off'], gpg_home: '/a\u0085b\u2029c' },
    });
  });
});
