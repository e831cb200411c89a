import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const REPO = join(import.meta.dirname, '..', '..');
const OXLINT = join(REPO, 'node_modules', '.bin', 'oxlint');

/** Lints a small made-up tree with the repository's own rules; returns the rule and file of each finding. */
async function lint(files: Record<string, string>): Promise<string[]> {
  const root = await mkdtemp(join(tmpdir(), 'aam-layers-'));
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
