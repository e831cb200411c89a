import * as vscode from 'vscode';
import { messageOf } from '../core/errors.ts';
import { exists } from '../core/fs/exists.ts';
import { workspacePaths } from '../core/lockfile/paths.ts';
import type { WorkspacePaths } from '../core/lockfile/paths.ts';
import { storedReports } from '../core/verify/verdict/report.ts';
import type { VerificationStore } from '../core/verify/store/result-store.ts';
import type { Engine } from './engine.ts';
import { log } from './log.ts';
import { ordered } from './workspace-state.ts';
import type { AamWorkspace } from './workspace-state.ts';

/** What finding workspaces needs: where the global one is, the stored results, and whether the workspace is trusted. */
export interface DiscoveryContext {
  homeDir: string;
  store: VerificationStore;
  restricted: boolean;
}

/**
 * The workspaces there are, each with the reports it had: this session's
 * (`previous`), or at start-up the last session's from the store (decided
 * under the policy they ran with), so the view has verdicts before anything
 * loads.
 */
export async function discoverWorkspaces(
  previous: readonly AamWorkspace[],
  context: DiscoveryContext,
): Promise<AamWorkspace[]> {
  const found: AamWorkspace[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const paths = workspacePaths(folder.uri.fsPath);
    if (!(await exists(paths.aamDir))) continue;
    const id = `project:${folder.uri.fsPath}`;
    found.push(await workspaceState(previous, context, { id, label: folder.name, kind: 'project', paths }));
  }
  const global = workspacePaths(context.homeDir);
  if (await exists(global.lockFile))
    found.push(
      await workspaceState(previous, context, {
        id: 'global',
        label: 'Global (~/.aam)',
        kind: 'global',
        paths: global,
      }),
    );
  return found;
}

async function workspaceState(
  states: readonly AamWorkspace[],
  context: DiscoveryContext,
  { id, label, kind, paths }: { id: string; label: string; kind: AamWorkspace['kind']; paths: WorkspacePaths },
): Promise<AamWorkspace> {
  const previous = states.find((s) => s.id === id);
  const base = {
    id,
    label,
    kind,
    paths,
    config: previous?.config,
    policyError: previous?.policyError,
    verifying: false,
    hasLockFile: await exists(paths.lockFile),
  };
  if (previous)
    return {
      ...base,
      lost: previous.lost,
      reports: previous.reports,
      verifiedAt: previous.verifiedAt,
      stored: previous.stored,
    };
  let stored: ReturnType<typeof storedReports>;
  try {
    stored = storedReports(context.store, paths, { restricted: context.restricted });
  } catch (error) {
    log().warn(`The stored verification results of ${label} cannot be shown: ${messageOf(error)}`);
  }
  return {
    ...base,
    lost: context.store.lost(paths.lockFile),
    reports: ordered(stored?.reports ?? []),
    verifiedAt: stored?.checkedAt ? new Date(stored.checkedAt) : undefined,
    stored: !!stored,
  };
}

/** Loads a workspace's merged policy (the engine validates it); a policy that cannot be used is said in `policyError`. */
export async function loadPolicy(workspace: AamWorkspace, engine: Engine, context: DiscoveryContext): Promise<void> {
  try {
    const config = await engine.loadConfig({
      homeDir: context.homeDir,
      projectDir: workspace.kind === 'project' ? workspace.paths.root : undefined,
      restricted: context.restricted,
      // VS Code's Restricted Mode: nor does the editor contact the registries the folder names.
      untrustedWorkspace: context.restricted,
      env: process.env,
    });
    const blocking = engine.blockingDiagnostics(config);
    workspace.config = config;
    workspace.policyError =
      blocking.length > 0
        ? blocking.map(({ file, diagnostic }) => engine.formatDiagnostic(file, diagnostic)).join('\n')
        : undefined;
  } catch (error) {
    workspace.config = undefined;
    workspace.policyError = messageOf(error);
  }
}
