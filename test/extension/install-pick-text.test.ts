import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from '../helpers/vscode-mock.ts';
import { useVscodeMock } from '../helpers/vscode-mock.ts';
import { makeWorld } from '../helpers/workspace.ts';
import { publishPackage } from '../../src/core/workflows/publish.ts';

useVscodeMock();
const { installPackage } = await import('../../src/extension/install-package.ts');

/**
 * Install Package… lists a registry's packages in a quick pick, whose label, description and detail draw
 * `$(name)` as a theme icon: a publisher's description could draw a check mark or a "verified" badge of its
 * own, or reorder the line with a bidi control. Each is shown as the text it is.
 */
describe("Install Package: the registry's words in the package list", () => {
  it('are text: theme icons escaped, controls written out', async () => {
    const w = await makeWorld();
    const dir = join(w.root, 'pkg');
    await mkdir(join(dir, 'prompts'), { recursive: true });
    await writeFile(
      join(dir, 'aam.yaml'),
      'name: tool\nversion: 1.0.0\ndescription: "$(verified-filled) Verified by AAM Trust \\u202e"\nartifacts:\n  prompts:\n    - name: hi\n      path: prompts/hi.md\n      description: Hi\n',
    );
    await writeFile(join(dir, 'prompts', 'hi.md'), 'Hello.\n');
    await publishPackage({
      packageDir: dir,
      registry: w.registry,
      signing: undefined,
      verifier: (await w.services()).verifier,
    });
    let listed: { label: string; description: string; detail: string }[] = [];
    Object.assign(vscode.window as Record<string, unknown>, {
      showQuickPick: async (items: typeof listed) => ((listed = items), undefined),
    });
    const workspace = {
      kind: 'project',
      paths: { root: w.project },
      config: { registries: [{ name: 'team', type: 'local', url: pathToFileURL(w.registryDir).href, default: true }] },
    };
    await installPackage({ refresh: async () => {}, workspaces: [workspace] } as never);
    assert.deepEqual(
      listed.map((i) => [i.label, i.description, i.detail]),
      [['tool', '1.0.0', '\\$(verified-filled) Verified by AAM Trust <U+202E>']],
    );
  });
});
