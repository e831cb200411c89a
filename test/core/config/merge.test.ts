import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeLayers } from '../../../src/core/config/merge.ts';
import { assertUsablePolicy, loadConfig } from '../../../src/core/config/load.ts';
import { isAamError } from '../../../src/core/errors.ts';
import { tempDir } from '../../helpers/temp.ts';

const g = { layer: 'global' as const, file: '/home/u/.aam/config.yaml' };
const p = { layer: 'project' as const, file: '/w/.aam/config.yaml' };

describe('config merge', () => {
  it("merges mappings key by key and replaces lists and scalars, recording each value's file", () => {
    const merged = mergeLayers([
      {
        origin: g,
        value: {
          default_platform: 'cursor',
          security: {
            require_signature: true,
            trusted_identities: ['a@x.com', 'b@x.com'],
            install_policy: { require_tag: true },
          },
        },
      },
      {
        origin: p,
        value: { security: { trusted_identities: ['c@x.com'], install_policy: { allowed_scopes: ['acme'] } } },
      },
    ]);
    assert.deepEqual(merged.value, {
      default_platform: 'cursor',
      security: {
        require_signature: true,
        trusted_identities: ['c@x.com'],
        install_policy: { require_tag: true, allowed_scopes: ['acme'] },
      },
    });
    assert.equal(merged.originOf(['security', 'require_signature']).file, g.file);
    assert.equal(merged.originOf(['security', 'trusted_identities']).file, p.file);
    assert.equal(merged.originOf(['security', 'trusted_identities', 0]).file, p.file);
    assert.equal(merged.originOf(['security', 'install_policy', 'require_tag']).file, g.file);
    assert.equal(merged.originOf(['security', 'install_policy', 'allowed_scopes']).file, p.file);
    assert.equal(merged.originOf(['security', 'verify_transparency_log']).layer, 'default');
  });
  it('a project scalar replacing a global mapping takes over its whole subtree', () => {
    const merged = mergeLayers([
      { origin: g, value: { publish: { default_scope: 'a' } } },
      { origin: p, value: { publish: null } },
    ]);
    assert.equal(merged.value.publish, null);
    assert.equal(merged.originOf(['publish']).file, p.file);
    assert.equal(merged.originOf(['publish', 'default_scope']).layer, 'default');
  });
});

describe('config loading from files', () => {
  async function setup(globalText: string | undefined, projectText: string | undefined) {
    const root = await tempDir('aam-config-');
    const home = join(root, 'home');
    const project = join(root, 'project');
    await mkdir(join(home, '.aam'), { recursive: true });
    await mkdir(join(project, '.aam'), { recursive: true });
    if (globalText !== undefined) await writeFile(join(home, '.aam', 'config.yaml'), globalText);
    if (projectText !== undefined) await writeFile(join(project, '.aam', 'config.yaml'), projectText);
    return { home, project };
  }
  it('uses defaults when no file exists', async () => {
    const { home, project } = await setup(undefined, undefined);
    const config = await loadConfig({ homeDir: home, projectDir: project });
    assert.equal(config.security.on_signature_failure, 'warn');
    assert.equal(config.security.verify_transparency_log, true);
    assert.equal(config.policyContext().sourceOf?.('require_signature'), 'default');
  });
  it('lets the project override the global config and says where each value came from', async () => {
    const { home, project } = await setup(
      'security:\n  on_signature_failure: warn\n  trusted_identities: [a@x.com]\n',
      'security:\n  on_signature_failure: error\n',
    );
    const config = await loadConfig({ homeDir: home, projectDir: project });
    assert.equal(config.security.on_signature_failure, 'error');
    assert.deepEqual(config.security.trusted_identities, ['a@x.com']);
    assert.equal(config.policyContext().sourceOf?.('on_signature_failure'), join(project, '.aam', 'config.yaml'));
    assert.equal(config.policyContext().sourceOf?.('trusted_identities'), join(home, '.aam', 'config.yaml'));
  });
  it('honours AAM_CONFIG for the global file', async () => {
    const { home } = await setup(undefined, undefined);
    const custom = join(home, 'custom.yaml');
    await writeFile(custom, 'security:\n  require_signature: true\n');
    const config = await loadConfig({ homeDir: home, env: { AAM_CONFIG: custom } });
    assert.equal(config.security.require_signature, true);
  });
  it('refuses to use a policy with invalid security values, listing them with line and column', async () => {
    const { home, project } = await setup(undefined, 'security:\n  on_signature_failure: eror\n');
    const config = await loadConfig({ homeDir: home, projectDir: project });
    assert.throws(
      () => assertUsablePolicy(config),
      (error) => isAamError(error, 'CONFIG_INVALID') && /config.yaml:2:25/.test(error.message),
    );
  });
});
