import * as vscode from 'vscode';
import { HIDDEN_LABEL } from '../core/content/describe.ts';
import { signerFacts, verdictWords } from '../core/workflows/review/review.ts';
import type { PackageReview, ReviewedFile, UpdateReview } from '../core/workflows/review/review.ts';
import { lineChanges } from '../core/workflows/review/text-diff.ts';
import { FINDING_LABEL, STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import type { AamWorkspace } from './model.ts';

/** The review on screen: what it shows, for whom, and the files' two sides by index. */
export interface OpenReview {
  id: string;
  workspace: AamWorkspace;
  review: UpdateReview;
  files: { file: ReviewedFile; before: vscode.Uri; after: vscode.Uri; label: string }[];
}

type Row =
  | { kind: 'package'; pkg: PackageReview }
  | { kind: 'fact'; label: string; detail: string; icon: string; color?: string }
  | { kind: 'file'; index: number };

/**
 * The Update Review view: beside the diff editor, the trust changes of each
 * reviewed package (verdict, signer, signature, attestation, approvals,
 * continuity, hidden content) and every changed file, each opening its diff.
 * Its title bar has Install and Cancel.
 */
export class ReviewView implements vscode.TreeDataProvider<Row>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Row | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  current: OpenReview | undefined;
  /** Every review opened in this session, by id: its documents stay readable while an editor shows them. */
  readonly reviews = new Map<string, OpenReview>();

  show(open: OpenReview | undefined): void {
    this.current = open;
    if (open) this.reviews.set(open.id, open);
    this.changed.fire(undefined);
  }

  getChildren(row?: Row): Row[] {
    const open = this.current;
    if (!open) return [];
    if (!row) return open.review.packages.map((pkg) => ({ kind: 'package', pkg }));
    if (row.kind !== 'package') return [];
    const { pkg } = row;
    const { before } = pkg.trust;
    const hidden = pkg.hidden.reduce((n, f) => n + f.count, 0);
    const facts: Row[] = [
      fact(
        'Verdict',
        `${verdictWords(pkg.verdict)} (was ${before?.status ? STATUS_LABEL[before.status] : '—'})`,
        pkg.verdict.action === 'pass' ? 'pass' : 'warning',
      ),
      ...signerFacts(pkg.trust).map((f) =>
        fact(
          f.label,
          f.text,
          f.warn ? 'warning' : f.label === 'Signature' ? 'key' : f.label === 'Delegation' ? 'link' : 'person',
        ),
      ),
      fact('Registry attestation', pkg.attestation, 'verified'),
      fact('Approvals', pkg.approvals, 'checklist'),
      ...pkg.changes.map((c) => fact('Signer continuity', `${c.message} Installing accepts it.`, 'warning')),
      ...pkg.findings.map((f) => fact(sentenceCase(FINDING_LABEL[f.code]), f.message, 'warning')),
      hidden > 0
        ? fact('Hidden content', `${hidden} item(s) in ${pkg.hidden.map((f) => f.path).join(', ')}`, 'warning')
        : fact('Hidden content', 'none', 'pass'),
    ];
    const files = open.files
      .map((f, index) => ({ f, index }))
      .filter(({ f }) => pkg.files.includes(f.file))
      .map(({ index }): Row => ({ kind: 'file', index }));
    if (files.length === 0) facts.push(fact('Files agents load', 'none would change', 'info'));
    return [...facts, ...files];
  }

  getTreeItem(row: Row): vscode.TreeItem {
    switch (row.kind) {
      case 'package': {
        const item = new vscode.TreeItem(
          `${row.pkg.name} ${row.pkg.from ?? '∅'} → ${row.pkg.to}`,
          vscode.TreeItemCollapsibleState.Expanded,
        );
        item.description = vscode.l10n.t('{0} file(s) change', row.pkg.files.length);
        item.iconPath = new vscode.ThemeIcon('package');
        item.contextValue = 'aamReviewPackage';
        return item;
      }
      case 'fact': {
        const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
        item.description = row.detail;
        item.tooltip = `${row.label}: ${row.detail}`;
        item.iconPath = new vscode.ThemeIcon(row.icon, row.color ? new vscode.ThemeColor(row.color) : undefined);
        return item;
      }
      case 'file': {
        const entry = this.current!.files[row.index]!;
        const { added, removed } = lineChanges(entry.file);
        const item = new vscode.TreeItem(entry.label, vscode.TreeItemCollapsibleState.None);
        const warn =
          entry.file.hidden.length > 0
            ? ` ⚠ ${[...new Set(entry.file.hidden.map((h) => HIDDEN_LABEL[h.kind]))].join(', ')}`
            : '';
        item.description = `${entry.file.platform} · ${entry.file.change} · +${added} −${removed}${warn}`;
        item.iconPath = new vscode.ThemeIcon(
          entry.file.change === 'added'
            ? 'diff-added'
            : entry.file.change === 'removed'
              ? 'diff-removed'
              : 'diff-modified',
          entry.file.hidden.length > 0 ? new vscode.ThemeColor('list.warningForeground') : undefined,
        );
        item.command = {
          command: 'vscode.diff',
          title: vscode.l10n.t('Open Diff'),
          arguments: [entry.before, entry.after, `${entry.label} (${entry.file.platform})`],
        };
        item.contextValue = 'aamReviewFile';
        return item;
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function fact(label: string, detail: string, icon: string): Row {
  const color = icon === 'warning' ? 'list.warningForeground' : icon === 'pass' ? 'testing.iconPassed' : undefined;
  return { kind: 'fact', label: vscode.l10n.t(label), detail, icon, ...(color ? { color } : {}) };
}

const sentenceCase = (label: string) => `${label.charAt(0).toUpperCase()}${label.slice(1)}`;
