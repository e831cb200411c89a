import * as vscode from 'vscode';
import { globalConfigPath } from '../core/config/paths.ts';
import { messageOf } from '../core/errors.ts';
import type { PackageReport } from '../core/verify/verdict/report.ts';
import type { VerificationStore } from '../core/verify/store/result-store.ts';
import { ChangeWatch } from '../core/verify/store/change-watch.ts';
import type { Engine, EngineLoader } from './engine.ts';
import { log } from './log.ts';
import { logChanges } from './verification-log.ts';
import { discoverWorkspaces, loadPolicy } from './workspace-discovery.ts';
import type { DiscoveryContext } from './workspace-discovery.ts';
import { ordered } from './workspace-state.ts';
import type { AamWorkspace } from './workspace-state.ts';

// The views import the workspace type from here, with the model that fills it.
export type { AamWorkspace } from './workspace-state.ts';

export interface RefreshOptions {
  token?: vscode.CancellationToken;
  onProgress?: (done: number, total: number) => void;
  /** Verify everything from scratch, trusting no stored result. */
  force?: boolean;
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
  private queued: RefreshOptions | undefined;
  /** A refresh without a cancellation token (a file changed, the workspace did) is among those queued. */
  private changeQueued = false;
  readonly homeDir: string;
  /** Results of earlier verifications (in the extension's storage): unchanged packages are not verified again. */
  readonly store: VerificationStore;
  /**
   * Vouches for stored results nothing has touched since a stat sweep found them holding, so a
   * re-verification with nothing changed costs no system call per path. Node's own watcher, in
   * this process: VS Code's watchers (which trigger refreshes, see watchers.ts) report from
   * another process after a delay, skip what files.watcherExclude names, and cannot be flushed
   * before a check; this one's events are handled before every run (ChangeWatch.settle).
   */
  readonly watch = new ChangeWatch();

  /** Newer versions in the registries, as `workspace-id|package → version` (the features bundle looks them up). */
  readonly updates = new Map<string, string>();

  /** The user's global config file (~/.aam/config.yaml, or $AAM_CONFIG). */
  readonly globalConfigFile: string;
  private readonly loadEngine: EngineLoader;

  constructor(homeDir: string, store: VerificationStore, loadEngine: EngineLoader) {
    this.homeDir = homeDir;
    this.globalConfigFile = globalConfigPath({ homeDir, env: process.env });
    this.loadEngine = loadEngine;
    this.store = store;
  }

  get workspaces(): readonly AamWorkspace[] {
    return this.states;
  }

  get restricted(): boolean {
    return !vscode.workspace.isTrusted;
  }

  private get context(): DiscoveryContext {
    return { homeDir: this.homeDir, store: this.store, restricted: this.restricted };
  }

  /** The user lets go of what the policy lost: it is not mentioned again. */
  async acknowledgeLost(workspace: AamWorkspace): Promise<void> {
    this.store.acknowledgeLost(workspace.paths.lockFile);
    await this.store.save();
    workspace.lost = [];
    this.changed.fire();
  }

  /** New update information: the view shows "update available" rows. */
  setUpdates(updates: ReadonlyMap<string, string>): void {
    if (JSON.stringify([...updates]) === JSON.stringify([...this.updates])) return;
    this.updates.clear();
    for (const [key, version] of updates) this.updates.set(key, version);
    this.changed.fire();
  }

  allReports(): { workspace: AamWorkspace; report: PackageReport }[] {
    return this.states.flatMap((workspace) => workspace.reports.map((report) => ({ workspace, report })));
  }

  workspaceOfFile(uri: vscode.Uri): AamWorkspace | undefined {
    return this.states.find((w) => uri.fsPath.startsWith(w.paths.aamDir + '/') || uri.fsPath === w.paths.lockFile);
  }

  /**
   * Reloads configs and verifies everything. A call made while a run is
   * going waits for one more run after it (calls coalesce; a forced one
   * stays forced).
   */
  refresh(options: RefreshOptions = {}): Promise<void> {
    if (this.running) {
      this.queued = { ...options, force: (this.queued?.force ?? false) || options.force };
      // A change (a call nobody can cancel) must be verified even if the command queued after it is cancelled.
      if (!options.token) this.changeQueued = true;
      return this.running.then(() => this.running);
    }
    this.running = (async () => {
      try {
        let next: RefreshOptions | undefined = options;
        while (next) {
          this.queued = undefined;
          this.changeQueued = false;
          await this.run(next);
          // A cancelled command stops itself, never a refresh for a change that came meanwhile.
          const queued = this.queued as RefreshOptions | undefined; // set by calls made during the await
          next = queued?.token?.isCancellationRequested ? (this.changeQueued ? {} : undefined) : queued;
        }
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /**
   * Resolves once no refresh is running: a run that read the files before a user's command must
   * not publish its reports after the command's own.
   */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  private async run(options: RefreshOptions): Promise<void> {
    const discovered = await discoverWorkspaces(this.states, this.context);
    for (const workspace of discovered) workspace.verifying = true;
    this.states = discovered;
    this.changed.fire();
    let engine: Engine;
    try {
      engine = await this.loadEngine();
    } catch (error) {
      // Without the engine nothing can be verified: say so on every workspace rather than spin.
      log().error(
        `AAM Trust could not load its verification engine: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      for (const workspace of discovered) {
        workspace.engineError = `AAM Trust could not load its verification engine (${messageOf(error)}). Reinstall the extension; details are in the AAM Trust log.`;
        workspace.verifying = false;
      }
      this.changed.fire();
      return;
    }
    for (const workspace of discovered) await loadPolicy(workspace, engine, this.context);
    const packages = new Map<AamWorkspace, number>();
    const progress = () =>
      options.onProgress?.(
        [...packages.values()].reduce((a, b) => a + b, 0),
        discovered.reduce(
          (n, w) => n + (w.stored || w.reports.length === 0 ? Math.max(w.reports.length, 1) : w.reports.length),
          0,
        ),
      );
    for (const workspace of discovered) {
      if (options.token?.isCancellationRequested) break;
      await this.verify(workspace, {
        token: options.token,
        force: options.force,
        onProgress: (done) => {
          packages.set(workspace, done);
          progress();
        },
      });
    }
  }

  /** Verifies one workspace (or some of its packages) and publishes the result. */
  async verify(
    workspace: AamWorkspace,
    options: {
      token?: vscode.CancellationToken;
      only?: string[];
      force?: boolean;
      onProgress?: (done: number, total: number) => void;
    } = {},
  ): Promise<void> {
    const { token, only } = options;
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
      const engine = await this.loadEngine();
      let checked = 0;
      const reports = await engine.verifyWorkspace({
        workspace: workspace.paths,
        config: workspace.config,
        ...engine.verificationServices(workspace.config, this.homeDir),
        store: this.store,
        // A forced run (Verify All, Verify Package) trusts neither stored results nor the watcher.
        watch: this.watch,
        force: options.force,
        only,
        signal: abort.signal,
        onProgress: options.onProgress,
        onNotice: (message) => log().warn(message),
        homeDir: this.homeDir,
        recordSigners: true,
      });
      cancel?.dispose();
      const previous = workspace.reports;
      workspace.reports = ordered(
        only ? [...workspace.reports.filter((r) => !only.includes(r.name)), ...reports] : reports,
      );
      workspace.stored = false;
      workspace.verifiedAt = new Date();
      workspace.lost = this.store.lost(workspace.paths.lockFile);
      checked = reports.filter((r) => Date.parse(r.checkedAt) >= started).length;
      log().info(
        `Verified ${reports.length} package(s) in ${workspace.label} in ${Date.now() - started} ms (${checked} checked, ${reports.length - checked} unchanged since their last check)${workspace.config.restricted ? ' (Restricted Mode)' : ''}`,
      );
      logChanges(previous, reports);
    } catch (error) {
      workspace.policyError = messageOf(error);
      workspace.reports = [];
      log().error(`Verification of ${workspace.label} failed: ${messageOf(error)}`);
    } finally {
      workspace.verifying = false;
      this.changed.fire();
    }
  }

  dispose(): void {
    this.watch.close();
    this.changed.dispose();
  }
}
