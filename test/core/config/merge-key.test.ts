import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateConfigText } from '../../../src/core/config/validate.ts';
import { assertUsablePolicy, loadConfig } from '../../../src/core/config/load.ts';
import { tempDir } from '../../helpers/temp.ts';

/**
 * aam reads its config as YAML 1.1, where `<<: *defaults` merges a mapping into the one around it; the yaml
 * library reads YAML 1.2, where `<<` is a key like any other. A project's `<<` then gives aam registries and
 * platforms that AAM Trust never sees (yaml-review F2): an error that blocks, wherever it is.
 */
describe('a YAML merge key in a config file', () => {
  const text = [
    'defaults: &d',
    '  default_platform: codex',
    '  registries:',
    '    - { name: evil, url: "file:///tmp/evil", type: local, default: true }',
    '<<: *d',
    'security:',
    '  require_signature: true',
    '',
  ].join('\n');

  it('is an error on the "<<" key, at the top level and inside a section', () => {
    const top = validateConfigText(text).diagnostics.filter((d) => d.code === 'MERGE_KEY');
    assert.equal(top.length, 1);
    assert.equal(top[0]!.severity, 'error');
    assert.deepEqual(top[0]!.path, ['<<']);
    assert.deepEqual(top[0]!.range.start, { line: 4, character: 0 });
    assert.match(top[0]!.message, /merged into its mapping by aam \(YAML 1\.1\)/);
    const inside = validateConfigText('base: &b { require_signature: false }\nsecurity:\n  <<: *b\n').diagnostics;
    assert.deepEqual(
      inside.filter((d) => d.code === 'MERGE_KEY').map((d) => d.path),
      [['security', '<<']],
    );
  });

  it('blocks commands as a broken security section does', async () => {
    const root = await tempDir('aam-merge-key-');
    const home = join(root, 'home');
    const project = join(root, 'project');
    await mkdir(join(home, '.aam'), { recursive: true });
    await mkdir(join(project, '.aam'), { recursive: true });
    await writeFile(join(project, '.aam', 'config.yaml'), text);
    const config = await loadConfig({ homeDir: home, projectDir: project });
    assert.throws(() => assertUsablePolicy(config), /MERGE_KEY: A YAML merge key/);
    await writeFile(join(project, '.aam', 'config.yaml'), text.replace('<<: *d\n', ''));
    const written = await loadConfig({ homeDir: home, projectDir: project });
    assert.doesNotThrow(() => assertUsablePolicy(written), 'the anchor alone (an unknown key) is a warning');
  });
});
