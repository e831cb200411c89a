import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { configWithLayers } from '../../scripts/layers.ts';
import { backImports, circles, importGraph } from './import-graph.ts';
import { tempDir } from '../helpers/temp.ts';

const REPO = join(import.meta.dirname, '..', '..');
const OXLINT = join(REPO, 'node_modules', '.bin', 'oxlint');

/** Lints a small made-up tree with the repository's own rules; returns the rule and file of each finding. */
async function lint(files: Record<string, string>): Promise<string[]> {
  const root = await tempDir('aam-layers-');
  await copyFile(join(REPO, '.oxlintrc.json'), join(root, '.oxlintrc.json'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const run = await promisify(execFile)(OXLINT, ['--format', 'json', '-c', '.oxlintrc.json', '.'], { cwd: root }).catch(
    (error: { stdout: string }) => ({ stdout: error.stdout }),
  );
  const report = JSON.parse(run.stdout) as { diagnostics: { code: string; filename: string }[] };
  return report.diagnostics.map((d) => `${d.code} ${d.filename}`).sort();
}

describe('the layer rules (npm run lint)', () => {
  it('reject the old circle: the model loading the features bundle, which imports the model', async () => {
    const found = await lint({
      'src/extension/model.ts':
        "import { loadEngine } from './lazy.ts';\nexport class TrustModel { load = loadEngine; }\n",
      'src/extension/lazy.ts': "export const loadEngine = () => import('./features.ts');\n",
      'src/extension/features.ts': "import { commands } from './commands.ts';\nexport const features = commands;\n",
      'src/extension/commands.ts':
        "import { TrustModel } from './model.ts';\nexport const commands = () => new TrustModel();\n",
    });
    assert.ok(found.includes('eslint(no-restricted-imports) src/extension/model.ts'), found.join('\n'));
  });

  it('reject an import from a floor of the core to a higher one (scripts/layers.ts)', async () => {
    const found = await lint({
      'src/core/deploy/restore.ts': "import { run } from '../verify/workspace.ts';\nexport const r = run;\n",
      'src/core/model/platform.ts': "import { p } from '../config/settings.ts';\nexport const m = p;\n",
      'src/core/verify/evidence/e.ts': "import { d } from '../verdict/report.ts';\nexport const e = d;\n",
      'src/core/verify/store/s.ts': "import { w } from '../workspace.ts';\nexport const s = w;\n",
      'src/core/verify/workspace.ts': "import { i } from '../workflows/install.ts';\nexport const w = i;\n",
      'src/core/registry/approval.ts': "import type { V } from '../verify/checks/job.ts';\nexport type A = V;\n",
    });
    for (const file of [
      'src/core/deploy/restore.ts',
      'src/core/model/platform.ts',
      'src/core/verify/evidence/e.ts',
      'src/core/verify/store/s.ts',
      'src/core/verify/workspace.ts',
      'src/core/registry/approval.ts',
    ])
      assert.ok(
        found.includes(`eslint(no-restricted-imports) ${file}`),
        `${file} is not reported:\n${found.join('\n')}`,
      );
  });

  it('allow an import down the floors: workflows on verify, the verdict on the store, checks on the model', async () => {
    const found = await lint({
      'src/core/workflows/restore.ts': "import { w } from '../verify/workspace.ts';\nexport const r = w;\n",
      'src/core/verify/workspace.ts': "import { d } from './verdict/report.ts';\nexport const w = d;\n",
      'src/core/verify/verdict/report.ts': "import { s } from '../store/s.ts';\nexport const d = s;\n",
      'src/core/verify/store/s.ts': "import { p } from '../../model/platform.ts';\nexport const s = p;\n",
      'src/core/model/platform.ts': "import { e } from '../errors.ts';\nexport const p = e;\n",
      'src/core/errors.ts': 'export const e = 1;\n',
    });
    assert.deepEqual(found, []);
  });

  it('say in .oxlintrc.json what scripts/layers.ts says (node scripts/layers.ts --write)', async () => {
    const { wanted, current } = await configWithLayers();
    assert.deepEqual(current, wanted);
  });

  it('reject a type-only import circle too', async () => {
    const found = await lint({
      'src/core/verify/checks/a.ts': "import type { B } from './b.ts';\nexport interface A { b: B }\n",
      'src/core/verify/checks/b.ts': "import type { A } from './a.ts';\nexport interface B { a: A }\n",
    });
    assert.ok(
      found.some((f) => /no-cycle\) src\/core\/verify\/checks\/[ab]\.ts$/.test(f)),
      found.join('\n'),
    );
  });

  it('reject a static import cycle anywhere', async () => {
    const found = await lint({
      'src/core/verify/a.ts': "import { b } from './b.ts';\nexport const a = () => b();\n",
      'src/core/verify/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
    });
    assert.ok(
      found.some((f) => /no-cycle\) src\/core\/verify\/[ab]\.ts$/.test(f)),
      found.join('\n'),
    );
  });

  it('keep the core free of the editor and the CLI, and the trust decision free of config', async () => {
    const found = await lint({
      'src/core/verify/x.ts': "import * as vscode from 'vscode';\nexport const x = vscode;\n",
      'src/core/verify/y.ts': "import { run } from '../../cli/run.ts';\nexport const y = run;\n",
      'src/cli/run.ts': 'export const run = 1;\n',
      'src/core/policy/p.ts': "import { c } from '../config/c.ts';\nexport const p = c;\n",
      'src/core/config/c.ts': 'export const c = 1;\n',
      'src/cli/z.ts': "import { m } from '../extension/m.ts';\nexport const z = m;\n",
      'src/extension/m.ts': 'export const m = 1;\n',
    });
    for (const file of ['src/core/verify/x.ts', 'src/core/verify/y.ts', 'src/core/policy/p.ts', 'src/cli/z.ts'])
      assert.ok(
        found.includes(`eslint(no-restricted-imports) ${file}`),
        `${file} is not reported:\n${found.join('\n')}`,
      );
  });

  it('allow what the layers allow: config building on policy, the extension on the core', async () => {
    const found = await lint({
      'src/core/policy/p.ts': 'export const p = 1;\n',
      'src/core/config/c.ts': "import { p } from '../policy/p.ts';\nexport const c = p;\n",
      'src/extension/e.ts': "import { c } from '../core/config/c.ts';\nexport const e = c;\n",
    });
    assert.deepEqual(found, []);
  });
});

describe('the structure of src/ (the import graph, read from the files)', () => {
  it('has no import circle, type-only imports included, and no import from a floor of the core to a higher one', async () => {
    const edges = await importGraph(REPO);
    assert.ok(edges.length > 500, `only ${edges.length} imports found: the reader is broken`);
    assert.deepEqual(circles(edges), []);
    assert.deepEqual(backImports(edges), []);
  });

  it('finds a back-import and a circle reintroduced into a copy of the tree', async () => {
    const root = await tempDir('aam-structure-');
    const files = {
      'src/core/deploy/restore.ts':
        "import { verifyWorkspace } from '../verify/workspace.ts';\nexport const r = verifyWorkspace;\n",
      'src/core/verify/workspace.ts':
        "import type { R } from '../deploy/check.ts';\nexport const verifyWorkspace = (r: R) => r;\n",
      'src/core/deploy/check.ts': "import type { W } from '../verify/evidence/e.ts';\nexport type R = W;\n",
      'src/core/verify/evidence/e.ts': "import type { R } from '../../deploy/check.ts';\nexport type W = R;\n",
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    const edges = await importGraph(root);
    assert.deepEqual(backImports(edges).sort(), [
      'src/core/deploy/check.ts -> src/core/verify/evidence/e.ts (type)',
      'src/core/deploy/restore.ts -> src/core/verify/workspace.ts',
    ]);
    assert.deepEqual(circles(edges), [['src/core/deploy/check.ts', 'src/core/verify/evidence/e.ts']]);
  });
});
