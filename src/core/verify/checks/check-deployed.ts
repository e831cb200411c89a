import { checkDeployed, exists } from '../../deploy/check.ts';
import type { DeployedCopy } from '../../deploy/check.ts';
import { deployPlan, PLATFORMS } from '../../deploy/platforms.ts';
import type { DeployRoots, Platform, SourceFile } from '../../deploy/platforms.ts';
import { messageOf } from '../../errors.ts';
import { parseManifest } from '../../package/manifest.ts';
import type { Manifest } from '../../package/manifest.ts';
import type { FileStamp } from '../../scan/stamps.ts';
import { perRun } from '../evidence/registry-files.ts';
import { withRunListings } from '../../scan/name-groups.ts';
import { deployedFailure } from './deployed-failure.ts';
import type { DeployedFailure } from './deployed-failure.ts';

/** Where a package's deployed copies are looked for, as plain data (workers receive it). */
export interface DeploySource {
  roots: DeployRoots;
  /** Platforms AAM Trust deployed it to (the trust record): a copy missing there fails even when none is left. */
  expected: Platform[];
}

/**
 * The copies agents actually load, against the signed archive: every
 * platform's deployed copies are computed from the archive as `aam install`
 * writes them, and compared with the disk. Modified, missing or extra files
 * fail, as an edited installed file does. Each artifact on each platform is
 * computed on its own: one that aam cannot deploy somewhere (Cursor needs an
 * agent's description) leaves the rest compared, and fails where a copy of
 * the package is found or expected. `run`: the verification run (see perRun).
 */
export function checkDeployment(
  name: string,
  manifestText: string,
  files: ReadonlyMap<string, Uint8Array>,
  source: DeploySource,
  stamps: Record<string, FileStamp | null>,
  run?: string,
): { copies: DeployedCopy[]; failure: DeployedFailure | undefined } {
  let manifest: Manifest;
  try {
    manifest = parseManifest(manifestText, `aam.yaml of ${name}`);
  } catch (error) {
    // aam deploys nothing of an archive whose aam.yaml it refuses, and where its copies would go is unknown.
    // Where AAM Trust deployed it, though, what agents load cannot be vouched for.
    return { copies: [], failure: unreadable(name, source.expected, messageOf(error)) };
  }
  const sources = new Map<string, SourceFile>([...files].map(([path, data]) => [path, { data, executable: false }]));
  const targets = PLATFORMS.flatMap((platform) => deployPlan(manifest, sources, platform, source.roots));
  // Whether each platform's folder is there is asked once a run (its stamp is in every package's evidence).
  // Twins are looked for in each folder's names as listed once a run (withRunListings).
  const copies = withRunListings(run, () =>
    checkDeployed(targets, source.expected, stamps, (root, into) =>
      perRun(run, `deploy-root\0${root}`, into, (own) => exists(root, own)),
    ),
  );
  return { copies, failure: deployedFailure(name, copies) };
}

function unreadable(name: string, expected: readonly Platform[], why: string): DeployedFailure | undefined {
  if (expected.length === 0) return undefined;
  return {
    ok: false,
    code: 'DEPLOYED_MODIFIED',
    expected: `the copies of ${name} on ${expected.join(', ')}, computed from its signed aam.yaml`,
    actual: why,
    detail: `The copies of ${name} that agents load on ${expected.join(', ')} cannot be compared with the signed archive: its aam.yaml cannot be read (${why}).`,
  };
}
