import * as vscode from 'vscode';
import type { ApiEvalResult } from '../core/registry/http-api.ts';
import { HttpRegistry } from '../core/registry/http-registry.ts';
import type { CheckRow } from '../core/verify/verdict/rows.ts';
import { mdCode, mdText } from './markdown-text.ts';
import type { AamWorkspace } from './model.ts';

const FRESH_MS = 60_000;

/**
 * A package's eval results (spec §3.3.9), from the HTTP registry it was
 * installed from: what its owners say their evaluations found. Shown beside
 * the verdict — in the Verification view and the lock file's hover — and
 * never part of it: a registry's word, not proof. Read at most once a
 * minute per version; a registry that cannot be reached shows nothing.
 */
export class EvalResults {
  private readonly cache = new Map<string, { at: number; results: Promise<ApiEvalResult[] | undefined> }>();

  of(
    workspace: AamWorkspace,
    report: { name: string; version: string; source: string },
  ): Promise<ApiEvalResult[] | undefined> {
    const entry = workspace.config?.registries.find((r) => r.name === report.source && r.type === 'http');
    if (!entry) return Promise.resolve(undefined);
    const key = `${entry.url} ${report.name}@${report.version}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < FRESH_MS) return cached.results;
    const results = new HttpRegistry(entry.name, entry.url, { attempts: 1, timeoutMs: 5_000 })
      .evalResults(report.name, report.version)
      .catch(() => undefined);
    this.cache.set(key, { at: Date.now(), results });
    return results;
  }

  /** Rows for the Verification view: one per evaluation (its latest run), or one saying there are none. */
  async rows(workspace: AamWorkspace, report: { name: string; version: string; source: string }): Promise<CheckRow[]> {
    const results = await this.of(workspace, report);
    if (!results) return [];
    if (results.length === 0)
      return [
        {
          id: 'eval-results',
          state: 'info',
          label: vscode.l10n.t('Eval results'),
          detail: vscode.l10n.t('none published'),
        },
      ];
    return latestPerEval(results).map((r) => ({
      id: 'eval-results',
      state: r.status === 'passed' ? 'ok' : r.status === 'skipped' ? 'info' : 'warn',
      label: vscode.l10n.t('Eval {0}', r.eval_name),
      detail: describe(r),
    }));
  }

  /** The hover's lines: each evaluation's latest run. The registry wrote them, and the hover runs commands: escaped. */
  async markdown(workspace: AamWorkspace, report: { name: string; version: string; source: string }): Promise<string> {
    const results = await this.of(workspace, report);
    if (!results || results.length === 0) return '';
    const lines = latestPerEval(results).map(
      (r) =>
        `- ${r.status === 'passed' ? '$(pass)' : r.status === 'skipped' ? '$(debug-step-over)' : '$(warning)'} ${mdCode(r.eval_name)}: ${mdText(describe(r))}`,
    );
    return `\n\n**${vscode.l10n.t('Eval results')}** (${mdText(vscode.l10n.t('as published on {0}', report.source))}):\n\n${lines.join('\n')}`;
  }
}

function latestPerEval(results: ApiEvalResult[]): ApiEvalResult[] {
  const latest = new Map<string, ApiEvalResult>();
  for (const r of results) {
    const seen = latest.get(r.eval_name);
    if (!seen || seen.run_at < r.run_at) latest.set(r.eval_name, r);
  }
  return [...latest.values()].sort((a, b) => a.eval_name.localeCompare(b.eval_name));
}

function describe(r: ApiEvalResult): string {
  const metrics = Object.entries(r.metrics)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const by = r.runner_identity ? vscode.l10n.t(' by {0}', r.runner_identity) : '';
  return `${r.status}${metrics ? ` — ${metrics}` : ''} (${vscode.l10n.t('run {0}', r.run_at.slice(0, 10))}${by})`;
}
