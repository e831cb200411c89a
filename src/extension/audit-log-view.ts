import * as vscode from 'vscode';
import { messageOf } from '../core/errors.ts';
import { aamHome } from '../core/aam-home.ts';
import { registryPins } from '../core/verify/evidence/registry-pins.ts';
import { PACKAGE_PREVIOUS } from '../core/registry/audit-log.ts';
import type { AuditEntry } from '../core/registry/audit-log.ts';
import { HttpRegistry } from '../core/registry/http-registry.ts';
import { openRegistry } from '../core/registry/open.ts';
import { checkRegistryLog } from '../core/registry/registry-check.ts';
import type { RegistryLogCheck } from '../core/registry/registry-check.ts';
import { mdCode, mdText } from './markdown-text.ts';
import type { AamWorkspace, TrustModel } from './model.ts';
import { own } from '../core/model/own.ts';

type Node =
  | {
      kind: 'registry';
      name: string;
      url: string;
      workspace: AamWorkspace;
      check: RegistryLogCheck | undefined;
      error: string | undefined;
    }
  | { kind: 'entry'; registry: string; entry: AuditEntry; installed: boolean };

/** How many of a registry's latest events the view lists. */
const SHOWN = 200;

const EVENT_ICONS: Record<string, string> = {
  'package.publish': 'cloud-upload',
  'version.yank': 'circle-slash',
  'tag.set': 'tag',
  'tag.remove': 'tag',
  'version.approve': 'pass',
  'version.reject': 'error',
  'ownership.transfer': 'person',
};

/**
 * The Audit Log view: for each HTTP registry of the open workspaces, its
 * audit log's latest events (event, actor, package and version, time; newest
 * first) and the log's status, checked as the CLI's "aam-trust audit"
 * checks it — the head signed by the registry's pinned key, its Merkle tree
 * extending the one recorded in .aam/trust-record.yaml (a consistency
 * proof), and the events shown hashing into the signed head. The view only
 * reads: recording a new head is what verification and installs do.
 */
export class AuditLogView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly model: TrustModel;
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private registries: Node[] | undefined;
  private loading: Promise<Node[]> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(model: TrustModel) {
    this.model = model;
    this.disposables.push(
      this.changed,
      model.onDidChange(() => {
        // Verification records new heads; read the logs again once it settles.
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.refresh(), 500);
      }),
    );
  }

  refresh(): void {
    this.registries = undefined;
    this.loading = undefined;
    this.changed.fire(undefined);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return (this.registries ??= await (this.loading ??= this.load()));
    if (node.kind !== 'registry' || !node.check) return [];
    return [...node.check.entries]
      .reverse()
      .slice(0, SHOWN)
      .map((entry) => ({
        kind: 'entry' as const,
        registry: node.name,
        entry,
        installed: node.workspace.reports.some((r) => r.name === entry.package && r.source === node.name),
      }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'registry') {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `registry:${node.workspace.id}:${node.name}`;
      const check = node.check;
      if (node.error || !check) {
        item.description = vscode.l10n.t('cannot be read: {0}', node.error ?? '');
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      } else if (check.ok) {
        item.description = vscode.l10n.t(
          'log verified · {0} entries · key {1}…',
          String(check.head?.size ?? 0),
          check.identity.key_id.slice(0, 16),
        );
        item.iconPath = new vscode.ThemeIcon('verified', new vscode.ThemeColor('testing.iconPassed'));
      } else {
        item.description = vscode.l10n.t('✗ {0}', check.reason ?? '');
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
      }
      // The name and URL come from a config a pull request can write, the rest from the registry: all escaped.
      item.tooltip = new vscode.MarkdownString(
        [
          `**${mdText(node.name)}** — ${mdText(node.url)}`,
          '',
          check?.ok
            ? vscode.l10n.t(
                'The audit log is a Merkle tree of {0} entries; its root {1} is signed by the registry key {2}{3}.',
                String(check.head?.size ?? 0),
                mdCode(`${(check.head?.root ?? check.head?.head_hash)?.slice(0, 16) ?? ''}…`),
                mdCode(check.identity.key_id),
                check.extends !== undefined
                  ? vscode.l10n.t(', and extends the head recorded at {0} entries', String(check.extends))
                  : vscode.l10n.t(' (no head recorded yet)'),
              )
            : mdText(check?.reason ?? node.error ?? ''),
        ].join('\n'),
      );
      item.accessibilityInformation = { label: `${node.name}: ${String(item.description)}` };
      item.contextValue = 'aamAuditRegistry';
      return item;
    }
    const { entry } = node;
    const subject = `${entry.package}${entry.version ? `@${entry.version}` : ''}`;
    const item = new vscode.TreeItem(`${entry.event}  ${subject}`, vscode.TreeItemCollapsibleState.None);
    item.id = `entry:${node.registry}:${entry.seq}`;
    const when = entry.timestamp.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    item.description = `${entry.actor} · ${when}${node.installed ? ` · ${vscode.l10n.t('installed here')}` : ''}`;
    item.iconPath = new vscode.ThemeIcon(
      own(EVENT_ICONS, entry.event) || 'circle-outline',
      entry.event === 'version.reject' ? new vscode.ThemeColor('testing.iconFailed') : undefined,
    );
    const details = Object.entries(entry.metadata)
      .filter(([k, v]) => v !== null && v !== undefined && k !== PACKAGE_PREVIOUS)
      .map(([k, v]) => `- ${mdText(k)}: ${mdText(String(v))}`);
    // Every field is the registry's: escaped, so an entry shows no link, image or forged line of its own.
    item.tooltip = new vscode.MarkdownString(
      [
        `**${mdText(entry.event)}** ${mdText(subject)}`,
        '',
        vscode.l10n.t('By {0} at {1} (entry {2})', mdText(entry.actor), mdText(when), mdText(String(entry.seq))),
        '',
        ...details,
        '',
        `hash ${mdCode(entry.hash)}  `,
        `prev ${mdCode(entry.prev_hash)}`,
      ].join('\n'),
    );
    item.accessibilityInformation = { label: `${entry.event} ${subject} by ${entry.actor} at ${when}` };
    return item;
  }

  private async load(): Promise<Node[]> {
    const seen = new Set<string>();
    const out: Node[] = [];
    for (const workspace of this.model.workspaces) {
      for (const entry of workspace.config?.registries ?? []) {
        if (entry.type !== 'http' || seen.has(`${entry.name} ${entry.url}`)) continue;
        seen.add(`${entry.name} ${entry.url}`);
        const registry = openRegistry(entry, { homeDir: this.model.homeDir, env: process.env });
        if (!(registry instanceof HttpRegistry)) continue;
        try {
          const { recorded, machinePins } = await registryPins(
            workspace.paths.aamDir,
            aamHome(this.model.homeDir).cacheDir,
            entry,
          );
          const check = await checkRegistryLog(registry, recorded, entry.keyId, { tail: SHOWN, machinePins });
          out.push({ kind: 'registry', name: entry.name, url: entry.url, workspace, check, error: undefined });
        } catch (error) {
          out.push({
            kind: 'registry',
            name: entry.name,
            url: entry.url,
            workspace,
            check: undefined,
            error: messageOf(error),
          });
        }
      }
    }
    void vscode.commands.executeCommand('setContext', 'aam.hasHttpRegistry', out.length > 0);
    return out;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
