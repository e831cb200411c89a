import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { readRegularFileSync } from '../fs/safe-read.ts';
import { messageOf } from '../errors.ts';
import { scanInstalled } from '../scan/scan-installed.ts';
import { stampOf, stampOfStats } from '../scan/stamps.ts';
import type { FileStamp } from '../scan/stamps.ts';
import type { DeployTarget, Platform, UncomputableTarget } from './platforms.ts';
import { expectedSectionBody, findSection, readText, sectionsIn } from './transform.ts';
import { twinOnPath } from './twins.ts';

/** What was found where one artifact is deployed on one platform. */
export interface DeployedCopy {
  platform: Platform;
  type: DeployTarget['type'];
  name: string;
  /** The file or folder; for a section, the shared file that holds it. */
  path: string;
  /** For a section: its marker name and kind ("style instruction"). */
  section: string | undefined;
  /** `shadowed`: it holds another installed package's artifact of the same name (decided once all packages are checked). */
  state: 'ok' | 'modified' | 'missing' | 'shadowed';
  /** For a modified copy: the first difference (`path: sha256`), and the rest in words. */
  expected: string | undefined;
  actual: string | undefined;
  detail: string | undefined;
  /** For a section: the other AAM sections its file holds ("name kind"), whose owners verification looks for. */
  beside?: string[];
}

const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * Compares every deployed copy a package should have with what is on disk.
 * A platform counts as deployed when any of the package's artifacts is found
 * there, a section by any of its markers (or it is in `expected`, where AAM
 * Trust deployed it): then every
 * artifact must be there and match — modified, missing or extra files fail.
 * An artifact whose copy cannot be computed on a deployed platform fails
 * too, found or not: what agents load there cannot be compared.
 * On other platforms nothing is reported, but every path looked at is
 * stamped into `stamps`, so a copy that appears later is checked then.
 */
export function checkDeployed(
  targets: readonly (DeployTarget | UncomputableTarget)[],
  expected: readonly Platform[],
  stamps: Record<string, FileStamp | null>,
  rootExists: (root: string, stamps: Record<string, FileStamp | null>) => boolean = exists,
): DeployedCopy[] {
  const found: { target: DeployTarget | UncomputableTarget; copy: DeployedCopy | undefined }[] = [];
  const roots = new Map<Platform, boolean>();
  for (const target of targets) {
    // One stamp covers a platform that has no folder at all: the common case costs one lstat.
    let present = sectionOf(target) !== undefined || roots.get(target.platform);
    if (present === undefined) {
      present = rootExists(target.root, stamps);
      roots.set(target.platform, present);
    }
    const copy = !present
      ? undefined
      : target.kind === 'uncomputable'
        ? probe(target, stamps)
        : compare(target, stamps);
    found.push({ target, copy });
  }
  const deployed = new Set<Platform>(expected);
  for (const { copy } of found) if (copy) deployed.add(copy.platform);
  return found.flatMap(({ target, copy }) => {
    if (!deployed.has(target.platform)) return [];
    return [copy ?? missing(target)];
  });
}

/** Whether a platform's folder is there, its stamp recorded (`rootExists`: what a verification run asks once). */
export function exists(path: string, stamps: Record<string, FileStamp | null>): boolean {
  const stamp = stampOf(path);
  stamps[path] = stamp;
  return stamp !== null;
}

/** The marker kind of a target that is a section of a shared file (CLAUDE.md, AGENTS.md). */
function sectionOf(target: DeployTarget | UncomputableTarget): 'agent' | 'instruction' | undefined {
  return target.kind === 'section' || target.kind === 'uncomputable' ? target.section : undefined;
}

function base(
  target: DeployTarget | UncomputableTarget,
): Omit<DeployedCopy, 'state' | 'expected' | 'actual' | 'detail'> {
  const section = sectionOf(target);
  return {
    platform: target.platform,
    type: target.type,
    name: target.name,
    path: target.path,
    section: section ? `${target.name} ${section}` : undefined,
  };
}

function missing(target: DeployTarget | UncomputableTarget): DeployedCopy {
  const section = sectionOf(target);
  const copy: DeployedCopy = {
    ...base(target),
    state: 'missing',
    expected: target.path,
    actual: 'nothing there',
    detail: `the ${target.type} ${target.name} is not deployed at ${target.path}${section ? ` (section "${target.name} ${section}")` : ''}`,
  };
  if (target.kind !== 'uncomputable') return copy;
  return { ...copy, detail: `${copy.detail}, and ${uncomputable(target)}` };
}

const uncomputable = (target: UncomputableTarget) =>
  `what aam deploys for it on ${target.platform} cannot be computed from the signed archive (${target.reason})`;

/**
 * Whether anything is at the place of an artifact whose copy cannot be
 * computed: a copy there fails whatever it holds, as it cannot be compared.
 */
function probe(target: UncomputableTarget, stamps: Record<string, FileStamp | null>): DeployedCopy | undefined {
  const fail = (actual: string): DeployedCopy => ({
    ...base(target),
    state: 'modified',
    expected: `${target.path}: the ${target.platform} copy of the signed ${target.type} ${target.name}, which cannot be computed (${target.reason})`,
    actual,
    detail: `it cannot be compared: ${uncomputable(target)}`,
  });
  if (target.section === undefined) {
    const stamp = stampOf(target.path);
    stamps[target.path] = stamp;
    return stamp === null ? undefined : fail(`${target.path}: a copy that cannot be compared`);
  }
  const read = readStamped(target.path, stamps);
  if (read === undefined) return undefined;
  if ('problem' in read) return fail(read.problem);
  let text: string;
  try {
    text = readText(read.bytes, target.path);
  } catch (error) {
    return fail(messageOf(error));
  }
  if (findSection(text, target.name, target.section).state === 'absent') return undefined;
  return fail(`section "${target.name} ${target.section}" of ${target.path}: a copy that cannot be compared`);
}

/** The copy as found, or undefined when it is not there at all. */
function compare(target: DeployTarget, stamps: Record<string, FileStamp | null>): DeployedCopy | undefined {
  const changed = (expected: string, actual: string, detail: string): DeployedCopy => ({
    ...base(target),
    state: 'modified',
    expected,
    actual,
    detail,
  });
  const ok: DeployedCopy = { ...base(target), state: 'ok', expected: undefined, actual: undefined, detail: undefined };
  if (target.kind === 'tree') {
    const stamp = stampOf(target.path);
    if (stamp === null) {
      stamps[target.path] = null;
      return undefined;
    }
    const expectedHashes = Object.fromEntries([...target.files].map(([path, file]) => [path, sha(file.data)]));
    const { diff, scan } = scanInstalled(
      target.path,
      expectedHashes,
      undefined,
      new Map([...target.files].map(([path, file]) => [path, file.data])),
    );
    for (const [rel, s] of Object.entries(scan.dirs)) stamps[rel ? join(target.path, rel) : target.path] = s;
    for (const [rel, f] of Object.entries(scan.files)) stamps[join(target.path, rel)] = f.stamp;
    for (const rel of [...diff.added, ...diff.missing])
      stamps[join(target.path, rel)] ??= stampOf(join(target.path, rel));
    if (diff.modified.length + diff.added.length + diff.missing.length === 0) {
      const twin = twinOnPath(target, stamps);
      return twin ? { ...base(target), ...twinned(twin, 'folder') } : ok;
    }
    const words = [
      diff.modified.length ? `modified: ${diff.modified.join(', ')}` : '',
      diff.missing.length ? `missing: ${diff.missing.join(', ')}` : '',
      diff.added.length ? `added: ${diff.added.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const first = diff.example ?? {
      path: diff.missing[0] ?? diff.added[0]!,
      expected: expectedHashes[diff.missing[0] ?? ''] ?? 'not there',
      actual: diff.missing[0] ? 'missing' : 'an extra file',
    };
    return changed(
      `${join(target.path, first.path)}: ${first.expected}`,
      `${join(target.path, first.path)}: ${first.actual}`,
      words,
    );
  }
  const read = readStamped(target.path, stamps);
  if (read === undefined) return undefined;
  if ('problem' in read) return changed(target.path, read.problem, read.problem);
  if (target.kind === 'file') {
    // Equal bytes are equal digests: the digests are only worth computing to name a difference.
    if (!read.bytes.equals(target.file.data)) {
      const [want, have] = [sha(target.file.data), sha(read.bytes)];
      if (want !== have)
        return changed(
          `${target.path}: ${want}`,
          `${target.path}: ${have}`,
          'its content differs from the signed artifact',
        );
    }
    const twin = twinOnPath(target, stamps);
    return twin ? { ...base(target), ...twinned(twin, 'file') } : ok;
  }
  let text: string;
  try {
    text = readText(read.bytes, target.path);
  } catch (error) {
    return changed(target.path, messageOf(error), messageOf(error));
  }
  const section = findSection(text, target.name, target.section);
  if (section.state === 'absent') return undefined;
  const beside = sectionsIn(text).filter((other) => other !== `${target.name} ${target.section}`);
  const found: DeployedCopy = beside.length > 0 ? { ...ok, beside } : ok;
  const modified = (expected: string, actual: string, detail: string): DeployedCopy => ({
    ...changed(expected, actual, detail),
    ...(beside.length > 0 ? { beside } : {}),
  });
  const want = expectedSectionBody(target.content);
  const label = `section "${target.name} ${target.section}"`;
  const twin = twinOnPath(target, stamps);
  if (twin) {
    const { expected, actual, detail } = twinned(twin, label);
    return modified(expected!, actual!, detail!);
  }
  // A stray, lone or second marker: agents load what is around it too, so the copy is not the signed one.
  if (section.state === 'malformed')
    return modified(
      `${label}: one BEGIN marker, then its END marker, around ${sha(Buffer.from(want))}`,
      `${target.path} ${section.problem}`,
      `${target.path} ${section.problem}`,
    );
  if (section.body === want) return found;
  return modified(
    `${label}: ${sha(Buffer.from(want))}`,
    `${label}: ${sha(Buffer.from(section.body))}`,
    `the ${label} of ${target.path} differs from the signed artifact`,
  );
}

/** A copy found with a twin on its way (twinOnPath): modified, as agents on macOS and Windows may load the twin. */
function twinned(
  { twin, of }: { twin: string; of: string },
  what: string,
): Pick<DeployedCopy, 'state' | 'expected' | 'actual' | 'detail'> {
  return {
    state: 'modified',
    expected: `${of}: the only name of its spelling in its folder`,
    actual: `${twin} beside it`,
    detail: `${twin} is ${basename(of)} on a case-insensitive file system (macOS, Windows), where a checkout keeps one of the two: agents there may load it instead of the ${what} compared here`,
  };
}

function readStamped(
  path: string,
  stamps: Record<string, FileStamp | null>,
): { bytes: Buffer } | { problem: string } | undefined {
  try {
    const file = readRegularFileSync(path, 'deployed');
    stamps[path] = file ? stampOfStats(file.stats) : null;
    return file ? { bytes: file.bytes } : undefined;
  } catch (error) {
    stamps[path] = stampOf(path);
    return { problem: messageOf(error) };
  }
}
