import * as vscode from 'vscode';
import { describePolicyChange } from '../core/workflows/diff/trust-diff.ts';
import type { PackageChange, PolicyChange, TrustDiff } from '../core/workflows/diff/trust-diff.ts';
import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import type { AamWorkspace } from './model.ts';

/**
 * The rows of the Trust Changes view (trust-changes.ts) and how each is
 * drawn: a workspace's head row, a changed package with its signer,
 * signature and verdict before and after, a policy change. The context
 * values say which rows can be accepted or reverted.
 */
export type TrustChangeNode =
  | { kind: 'head'; workspace: AamWorkspace; diff: TrustDiff | undefined; error: string | undefined }
  | { kind: 'package'; workspace: AamWorkspace; change: PackageChange }
  | { kind: 'policy'; workspace: AamWorkspace; change: PolicyChange }
  | { kind: 'detail'; label: string; detail: string; icon: string };

type Node = TrustChangeNode;

/** The rows below a head or package row. */
export function childrenOf(node: Node): Node[] {
  if (node.kind === 'head') {
    if (!node.diff) return [];
    const packages = node.diff.packages
      .filter((p) => p.change !== 'unchanged' || p.problems.length > 0)
      .sort((a, b) => b.problems.length - a.problems.length || a.name.localeCompare(b.name));
    return [
      ...packages.map((change): Node => ({ kind: 'package', workspace: node.workspace, change })),
      ...node.diff.policy.map((change): Node => ({ kind: 'policy', workspace: node.workspace, change })),
    ];
  }
  if (node.kind === 'package') {
    const { before, after } = node.change;
    const side = (s: typeof before, key: 'signer' | 'kind') => (s ? (s[key] ?? vscode.l10n.t('unknown')) : '—');
    const status = (s: typeof before) => (s?.status ? STATUS_LABEL[s.status] : s ? vscode.l10n.t('unknown') : '—');
    return [
      {
        kind: 'detail',
        label: vscode.l10n.t('Signer'),
        detail: `${side(before, 'signer')} → ${side(after, 'signer')}`,
        icon: 'person',
      },
      {
        kind: 'detail',
        label: vscode.l10n.t('Signature'),
        detail: `${side(before, 'kind')} → ${side(after, 'kind')}`,
        icon: 'key',
      },
      {
        kind: 'detail',
        label: vscode.l10n.t('Verdict'),
        detail: `${status(before)} → ${status(after)}`,
        icon: 'shield',
      },
      ...node.change.problems.map((p): Node => ({
        kind: 'detail',
        label: p.code.toLowerCase().replace(/_/g, ' '),
        detail: p.message,
        icon: 'error',
      })),
    ];
  }
  return [];
}

/** How a row is drawn; `base` is the revision the working tree is compared with. */
export function treeItemOf(node: Node, base: string): vscode.TreeItem {
  switch (node.kind) {
    case 'head': {
      const problems = node.diff?.reasons.length ?? 0;
      const item = new vscode.TreeItem(
        vscode.l10n.t('{0}: working tree vs {1}', node.workspace.label, base),
        vscode.TreeItemCollapsibleState.Expanded,
      );
      item.description = node.error
        ? vscode.l10n.t('not available')
        : problems > 0
          ? vscode.l10n.t('{0} to look at', problems)
          : vscode.l10n.t('nothing that weakens trust');
      item.tooltip =
        node.error ??
        (node.diff?.reasons.join('\n') || vscode.l10n.t('No failing package, signer change or weaker policy.'));
      item.iconPath = new vscode.ThemeIcon(
        node.error ? 'info' : problems > 0 ? 'error' : 'pass',
        new vscode.ThemeColor(problems > 0 ? 'list.errorForeground' : 'testing.iconPassed'),
      );
      item.contextValue = 'aamTrustChanges';
      return item;
    }
    case 'package': {
      const { change } = node;
      const item = new vscode.TreeItem(change.name, vscode.TreeItemCollapsibleState.Collapsed);
      const versions =
        change.before && change.after && change.before.version !== change.after.version
          ? `${change.before.version} → ${change.after.version}`
          : (change.after ?? change.before)?.version;
      item.description = [
        change.problems.map((p) => p.code.toLowerCase().replace(/_/g, ' ')).join(', ') || change.change,
        versions,
      ]
        .filter(Boolean)
        .join(' · ');
      item.iconPath = new vscode.ThemeIcon(
        change.problems.length > 0
          ? 'error'
          : change.change === 'added'
            ? 'diff-added'
            : change.change === 'removed'
              ? 'diff-removed'
              : 'diff-modified',
        change.problems.length > 0 ? new vscode.ThemeColor('list.errorForeground') : undefined,
      );
      item.tooltip = [
        ...change.problems.map((p) => p.message),
        `${change.before?.signer ?? '—'} → ${change.after?.signer ?? '—'}`,
      ].join('\n');
      const acceptable = change.problems.some(
        (p) => p.code === 'SIGNER_CHANGED' || p.code === 'SIGNATURE_REMOVED' || p.code === 'DOWNGRADE',
      );
      const revertable = !!change.before && !!change.after && change.before.version !== change.after.version;
      item.contextValue = `aamTrustChange${acceptable ? ' acceptable' : ''}${revertable ? ' revertable' : ''}`;
      if (change.after)
        item.command = {
          command: 'aam.showInLockFile',
          title: vscode.l10n.t('Show in Lock File'),
          arguments: [{ workspaceId: node.workspace.id, packageName: change.name }],
        };
      return item;
    }
    case 'policy': {
      const item = new vscode.TreeItem(describePolicyChange(node.change), vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon(
        node.change.weaker ? 'warning' : 'law',
        node.change.weaker ? new vscode.ThemeColor('list.warningForeground') : undefined,
      );
      // Revert writes a security setting back; a registry or a record pin is mended by hand.
      item.contextValue = `aamTrustPolicyChange${node.change.weaker && !node.change.where ? ' revertable' : ''}`;
      item.command = { command: 'aam.openTrustPolicy', title: vscode.l10n.t('Open Trust Policy') };
      return item;
    }
    case 'detail': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.description = node.detail;
      item.tooltip = `${node.label}: ${node.detail}`;
      item.iconPath = new vscode.ThemeIcon(node.icon);
      return item;
    }
  }
}
