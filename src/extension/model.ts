import * as vscode from 'vscode';
import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { aamHome } from '../core/aam-home.ts';
import { blockingDiagnostics, loadConfig } from '../core/config/load.ts';
import type { LoadedConfig } from '../core/config/load.ts';
import { formatDiagnostic } from '../core/config/diagnostics.ts';
import { messageOf } from '../core/errors.ts';
import { workspacePaths } from '../core/lockfile/lockfile.ts';
import type { WorkspacePaths } from '../core/lockfile/lockfile.ts';
import { EvidenceCache } from '../core/verify/evidence-cache.ts';
import { createSignatureVerifier } from '../core/verify/signature-verifier.ts';
import type { SignatureVerifier } from '../core/verify/signature-verifier.ts';
import { verifyWorkspace } from '../core/verify/verify-installed.ts';
import type { PackageReport } from '../core/verify/verify-installed.ts';
import { log } from './log.ts';

/** One place packages are installed: a workspace folder's `.aam`, or the global `~/.aam`. */
export interface AamWorkspace {
  id: string;
  label: string;
  kind: 'project' | 'global';
  paths: WorkspacePaths;
  config: LoadedConfig | undefined;
  /** Why the policy cannot be used (broken YAML or invalid security values). */
  policyError: string | undefined;
  reports: PackageReport[];
  verifiedAt: Date | undefined;
  verifying: boolean;
  hasLockFile: boolean;
}

/**
 * The verification state of every AAM workspace, shared by the view, the
 * status bar, diagnostics and hovers. Verification runs in-process through
 * the core; nothing here decides trust.
 */
export class TrustModel implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private states: AamWorkspace[] = [];
  private running: Promise<void> | undefined;
  private queued = false;
  readonly homeDir: string;

  constructor(homeDir = homedir()) {
    this.homeDir = homeDir;
  }

  get workspaces(): readonly AamWorkspace[] {
    return this.states;
  }

  get restricted(): boolean {
    return !vscode.workspace.isTrusted;
  }

  allReports(): { workspace: AamWorkspace; report: PackageReport }[] {
    return this.states.flatMap((workspace) => workspace.reports.map((report) => ({ workspace, report })));
  }

  workspaceOfFile(uri: vscode.Uri): AamWorkspace | undefined {
    return this.states.find((w) => uri.fsPath.startsWith(w.paths.aamDir + '/') || uri.fsPath === w.paths.lockFile);
  }

  /** The verifier and cache for a workspace's policy (loads trust material lazily). */
  services(workspace: AamWorkspace): { verifier: SignatureVerifier; cache: EvidenceCache } {
    return { verifier: createSignatureVerifier(workspace.config!, this.homeDir), cache: new EvidenceCache(aamHome(this.homeDir).cacheDir) };
  }

  /** Reloads configs and verifies everything; calls made while running coalesce into one more run. */
  refresh(options: { token?: vscode.CancellationToken; onProgress?: (done: number, total: number) => void } = {}): Promise<void> {
    if (this.running) {
      this.queued = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.queued = false;
          await this.run(options);
        } while (this.queued && !options.token?.isCancellationRequested);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async run(options: { token?: vscode.CancellationToken; onProgress?: (done: number, total: number) => void }): Promise<void> {
    const discovered = await this.discover();
    for (const workspace of discovered) workspace.verifying = true;
    this.states = discovered;
    this.changed.fire();
    const total = discovered.length;
    for (const [i, workspace] of discovered.entries()) {
      if (options.token?.isCancellationRequested) break;
      await this.verify(workspace, options.token);
      options.onProgress?.(i + 1, total);
    }
  }

  /** Verifies one workspace (or some of its packages) and publishes the result. */
  async verify(workspace: AamWorkspace, token?: vscode.CancellationToken, only?: string[]): Promise<void> {
    workspace.verifying = true;
    this.changed.fire();
    try {
      if (!workspace.config || workspace.policyError) {
        workspace.reports = [];
        return;
      }
      const started = Date.now();
      const abort = new AbortController();
      const cancel = token?.onCancellationRequested(() => abort.abort());
      const reports = await verifyWorkspace({ workspace: workspace.paths, config: workspace.config, ...this.services(workspace), only, signal: abort.signal });
      cancel?.dispose();
      workspace.reports = only ? [...workspace.reports.filter((r) => !only.includes(r.name)), ...reports].sort((a, b) => a.name.localeCompare(b.name)) : reports;
      workspace.verifiedAt = new Date();
      log().info(`Verified ${reports.length} package(s) in ${workspace.label} in ${Date.now() - started} ms${workspace.config.restricted ? ' (Restricted Mode)' : ''}`);
      for (const r of reports) if (r.verdict.action !== 'pass') log().warn(`${r.name}@${r.version}: ${r.verdict.code} — ${r.verdict.message}`);
    } catch (error) {
      workspace.policyError = messageOf(error);
      workspace.reports = [];
      log().error(`Verification of ${workspace.label} failed: ${messageOf(error)}`);
    } finally {
      workspace.verifying = false;
      this.changed.fire();
    }
  }

  private async discover(): Promise<AamWorkspace[]> {
    const found: AamWorkspace[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const paths = workspacePaths(folder.uri.fsPath);
      if (!(await exists(paths.aamDir))) continue;
      found.push(await this.load(`project:${folder.uri.fsPath}`, folder.name, 'project', paths));
    }
    const global = workspacePaths(this.homeDir);
    if (await exists(global.lockFile)) found.push(await this.load('global', 'Global (~/.aam)', 'global', global));
    return found;
  }

  private async load(id: string, label: string, kind: AamWorkspace['kind'], paths: WorkspacePaths): Promise<AamWorkspace> {
    const previous = this.states.find((s) => s.id === id);
    const base = { id, label, kind, paths, reports: previous?.reports ?? [], verifiedAt: previous?.verifiedAt, verifying: false, hasLockFile: await exists(paths.lockFile) };
    try {
      const config = await loadConfig({ homeDir: this.homeDir, projectDir: kind === 'project' ? paths.root : undefined, restricted: this.restricted });
      const blocking = blockingDiagnostics(config);
      const policyError = blocking.length > 0 ? blocking.map(({ file, diagnostic }) => formatDiagnostic(file, diagnostic)).join('\n') : undefined;
      return { ...base, config, policyError };
    } catch (error) {
      return { ...base, config: undefined, policyError: messageOf(error) };
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function globalConfigFile(homeDir: string): string {
  return join(aamHome(homeDir).dir, 'config.yaml');
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
