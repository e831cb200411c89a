import { checkDeployed, exists } from '../../deploy/check.ts';
import type { DeployedCopy } from '../../deploy/check.ts';
import { deployTargets, PLATFORMS } from '../../deploy/platforms.ts';
import type { DeployRoots, DeployTarget, Platform, SourceFile } from '../../deploy/platforms.ts';
import { parseManifest } from '../../package/manifest.ts';
import type { IntegrityCheck } from '../../policy/decision.ts';
import type { FileStamp } from '../../scan/stamps.ts';
import { perRun } from '../evidence/registry-files.ts';

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
 * fail, as an edited installed file does. `run`: the verification run (see perRun).
 */
export function checkDeployment(
  name: string,
  manifestText: string,
  files: ReadonlyMap<string, Uint8Array>,
  source: DeploySource,
  stamps: Record<string, FileStamp | null>,
  run?: string,
): { copies: DeployedCopy[]; failure: Extract<IntegrityCheck, { ok: false }> | undefined } {
  let targets: DeployTarget[];
  try {
    const manifest = parseManifest(manifestText, `aam.yaml of ${name}`);
    const sources = new Map<string, SourceFile>([...files].map(([path, data]) => [path, { data, executable: false }]));
    targets = PLATFORMS.flatMap((platform) => deployTargets(manifest, sources, platform, source.roots));
  } catch {
    // An archive aam cannot deploy (its aam.yaml or an agent.yaml is broken) has no deployed copies to compare.
    return { copies: [], failure: undefined };
  }
  // Whether each platform's folder is there is asked once a run (its stamp is in every package's evidence).
  const copies = checkDeployed(targets, source.expected, stamps, (root, into) =>
    perRun(run, `deploy-root\0${root}`, into, (own) => exists(root, own)),
  );
  const bad = copies.filter((c) => c.state !== 'ok');
  if (bad.length === 0) return { copies, failure: undefined };
  const first = bad[0]!;
  const where = bad.map((c) => `${c.platform} ${c.type} ${c.name} (${c.state}: ${c.detail})`).join('; ');
  return {
    copies,
    failure: {
      ok: false,
      code: 'DEPLOYED_MODIFIED',
      expected: first.expected ?? first.path,
      actual: first.actual ?? first.state,
      detail: `The copies of ${name} that agents load differ from the signed archive: ${where}.`,
    },
  };
}
