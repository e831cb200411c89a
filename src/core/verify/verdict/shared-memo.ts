import type { WorkspacePaths } from '../../lockfile/lockfile.ts';
import type { JobResult } from '../checks/job.ts';
import { PlaceIndex, placeOwners } from './collisions.ts';
import { sharedPlaces } from './report.ts';
import type { SharedPlaces } from './report.ts';

/** The places, their owners, and each result's shared places, as last computed for a workspace. */
export interface SharedMemo {
  results: readonly JobResult[];
  root: string;
  index: PlaceIndex;
  owners: Map<string, JobResult>;
  shared: WeakMap<JobResult, SharedPlaces>;
}

/**
 * The shared places of results, decided from every result's claims and
 * deployed copies. When the results are the very objects of the last run
 * (a warm run where nothing changed) the index and owners are the last
 * run's; any other result (re-checked, or judged from the ledger) is
 * computed again.
 */
export function sharedPlacesOf(
  results: readonly JobResult[],
  claims: ReadonlyMap<string, readonly string[]> | undefined,
  workspace: WorkspacePaths,
  memo: { value: SharedMemo | undefined } | undefined,
): (result: JobResult) => SharedPlaces {
  const last = memo?.value;
  const same =
    !claims &&
    last !== undefined &&
    last.root === workspace.root &&
    last.results.length === results.length &&
    results.every((r, i) => last.results[i] === r);
  let current: SharedMemo;
  if (same) current = last;
  else {
    const index = new PlaceIndex(claims ?? results.map((r) => [r.name, r.claims]));
    current = { results, root: workspace.root, index, owners: placeOwners(index, results), shared: new WeakMap() };
    // Only an index built from these results' own claims describes them next time.
    if (memo) memo.value = claims ? undefined : current;
  }
  return (result) => {
    let shared = current.shared.get(result);
    if (!shared) current.shared.set(result, (shared = sharedPlaces(result, current.index, current.owners, workspace)));
    return shared;
  };
}
