/**
 * The Verification view with thousands of packages: the tree's children and
 * their items, as VS Code asks for them after every change (children, then
 * an item per child), with the view's code bundled as the extension bundles
 * it and a stand-in `vscode` module. Reports are real: checks decided under
 * a policy.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspacePaths } from '../src/core/lockfile/paths.ts';
import { benchReports } from './reports.ts';
import { installVscodeStub } from './vscode-stub.ts';

export async function viewTimes(
  count: number,
  runs: number,
): Promise<{ childrenMs: number; itemsMs: number; perRowUs: number }> {
  installVscodeStub();
  const dir = mkdtempSync(join(tmpdir(), 'aam-view-bench-'));
  try {
    const out = join(dir, 'view.cjs');
    await build({
      entryPoints: [join(import.meta.dirname, '..', 'src', 'extension', 'verification-view.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: out,
      external: ['vscode'],
      logLevel: 'warning',
    });
    const { VerificationView } = createRequire(import.meta.url)(out) as {
      VerificationView: new (model: unknown) => {
        getChildren(node?: unknown): unknown[];
        getTreeItem(node: unknown): unknown;
      };
    };
    const workspace = workspacePaths('/work/project');
    const reports = benchReports(count);
    const state = {
      id: 'project',
      label: 'project',
      kind: 'project',
      paths: workspace,
      config: undefined,
      policyError: undefined,
      reports,
      verifiedAt: new Date(),
      verifying: false,
      stored: false,
      hasLockFile: true,
    };
    const model = {
      workspaces: [state],
      onDidChange: () => ({ dispose() {} }),
      allReports: () => reports.map((report) => ({ workspace: state, report })),
    };
    const view = new VerificationView(model);
    const children: number[] = [];
    const items: number[] = [];
    for (let run = 0; run < runs; run++) {
      let started = performance.now();
      const nodes = view.getChildren();
      children.push(performance.now() - started);
      started = performance.now();
      for (const node of nodes) view.getTreeItem(node);
      items.push(performance.now() - started);
    }
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    return { childrenMs: median(children), itemsMs: median(items), perRowUs: (1000 * median(items)) / count };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(JSON.stringify(await viewTimes(5000, 9)));
