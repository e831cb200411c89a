import type { LoadedConfig } from '../core/config/load.ts';
import type { WorkspacePaths } from '../core/lockfile/paths.ts';
import { rankOf } from '../core/verify/verdict/vocabulary.ts';
import type { PackageReport } from '../core/verify/verdict/report.ts';
import type { LostSetting } from '../core/verify/store/policy-memory.ts';

/**
 * One place packages are installed: a workspace folder's `.aam`, or the
 * global `~/.aam`, with what the model (model.ts) knows of it. Every view
 * reads this; only the model and its discovery (workspace-discovery.ts)
 * write it.
 */
export interface AamWorkspace {
  id: string;
  label: string;
  kind: 'project' | 'global';
  paths: WorkspacePaths;
  config: LoadedConfig | undefined;
  /** Why the policy cannot be used (broken YAML or invalid security values). */
  policyError: string | undefined;
  /** Why nothing could be verified at all (the engine bundle failed to load). */
  engineError?: string | undefined;
  reports: PackageReport[];
  verifiedAt: Date | undefined;
  verifying: boolean;
  /** The reports are the last run's, shown until this session's verification finishes. */
  stored: boolean;
  hasLockFile: boolean;
  /** Trust entries and settings the policy had at an earlier verification and lost since (aam config set drops keys). */
  lost?: readonly LostSetting[];
}

/** Failures first, then what needs a look, verified last; by name within each. */
export function ordered(reports: PackageReport[]): PackageReport[] {
  return reports.sort((a, b) => rankOf(a) - rankOf(b) || a.name.localeCompare(b.name));
}
