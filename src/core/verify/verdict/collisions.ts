import { relative } from 'node:path';
import type { DeployedCopy } from '../../deploy/check.ts';
import { placeKey } from '../../model/platform.ts';
import type { Finding } from './findings.ts';
import { MAX_SECTIONS_BESIDE } from '../../deploy/transform.ts';

export const copyKey = (copy: Pick<DeployedCopy, 'path' | 'section'>) => placeKey(copy.path, copy.section);

/** Which installed packages claim each place: the same answer whether one package is verified or all. */
export class PlaceIndex {
  private readonly byPlace = new Map<string, string[]>();

  /**
   * `complete`: the claims are every installed package's. An index of some
   * of them (the stored results of a workspace verified one package at a
   * time) cannot tell a place nobody claims, and says every place is claimed.
   */
  private readonly complete: boolean;

  constructor(claims: Iterable<[name: string, places: readonly string[]]>, complete = true) {
    this.complete = complete;
    for (const [name, places] of claims)
      for (const place of new Set(places)) {
        const names = this.byPlace.get(place);
        if (names) names.push(name);
        else this.byPlace.set(place, [name]);
      }
    for (const names of this.byPlace.values()) names.sort();
  }

  /** The other packages that claim a place `name` claims, by place. */
  rivalsOf(name: string, places: readonly string[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const place of places) {
      const others = (this.byPlace.get(place) ?? []).filter((n) => n !== name);
      if (others.length > 0) out.set(place, others);
    }
    return out;
  }

  /** Whether any installed package claims a place. */
  claimed(place: string): boolean {
    return !this.complete || this.byPlace.has(place);
  }

  /** Everything that shares a place with one of `names`: what must be checked to judge them. */
  neighboursOf(names: Iterable<string>, claims: ReadonlyMap<string, readonly string[]>): Set<string> {
    const out = new Set<string>();
    for (const name of names)
      for (const others of this.rivalsOf(name, claims.get(name) ?? []).values()) for (const o of others) out.add(o);
    return out;
  }
}

/** What one package was found to have deployed, and where: what deciding a shared place needs of it. */
export interface DeployedResult {
  name: string;
  deployed: readonly DeployedCopy[];
}

/**
 * Whose copy each shared place holds: of the packages that claim it, the
 * one whose signed archive the copy there matches (aam keeps the one
 * installed last) — the owner's result, whose own verdict is still to be
 * weighed (see ownerFailure).
 */
export function placeOwners<R extends DeployedResult>(index: PlaceIndex, results: Iterable<R>): Map<string, R> {
  const owners = new Map<string, R>();
  for (const result of results)
    for (const copy of result.deployed) {
      if (copy.state !== 'ok') continue;
      const key = copyKey(copy);
      if (index.rivalsOf(result.name, [key]).size > 0) owners.set(key, result);
    }
  return owners;
}

/** A result's deployed copies that hold a rival's artifact (a name clash, not an edit), by place, with that rival. */
export function shadowsOf<R extends DeployedResult>(
  result: DeployedResult,
  owners: ReadonlyMap<string, R>,
): Map<string, R> {
  const shadows = new Map<string, R>();
  for (const copy of result.deployed) {
    const owner = owners.get(copyKey(copy));
    if (copy.state === 'modified' && owner !== undefined && owner.name !== result.name)
      shadows.set(copyKey(copy), owner);
  }
  return shadows;
}

/**
 * A finding per deployed place that another installed package also claims:
 * agents load only one of the two, so the other's artifact is not what they
 * read. A warning (aam allows it); the copy itself is judged on its own.
 */
export function collisionFindings(
  result: DeployedResult,
  index: PlaceIndex,
  owners: ReadonlyMap<string, DeployedResult>,
  /** The project folder: places in it are named relative to it. */
  root: string,
): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const copy of result.deployed) {
    const key = copyKey(copy);
    if (seen.has(key)) continue;
    seen.add(key);
    const rivals = index.rivalsOf(result.name, [key]).get(key);
    if (!rivals) continue;
    const owner = owners.get(key)?.name;
    const path = relative(root, copy.path).startsWith('..') ? copy.path : relative(root, copy.path);
    const where = copy.section ? `the "${copy.section}" section of ${path}` : path;
    const holder =
      owner === result.name
        ? `the copy there is ${result.name}'s`
        : owner
          ? `the copy there is ${owner}'s, so agents do not load ${result.name}'s`
          : copy.state === 'missing'
            ? 'nothing is there'
            : "the copy there matches neither package's signed archive";
    findings.push({
      code: 'DEPLOY_COLLISION',
      action: 'warn',
      message: `${namesOf([result.name, ...rivals].sort())} ${rivals.length > 1 ? 'all' : 'both'} deploy ${where}; ${holder}.`,
      expected: undefined,
      actual: owner,
      hint: `aam keeps the artifact installed last. Rename one of the artifacts, or uninstall the package whose copy agents should not load.`,
    });
  }
  return findings;
}

function namesOf(names: readonly string[]): string {
  return names.length <= 2 ? names.join(' and ') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * A finding per shared file (CLAUDE.md, AGENTS.md) that holds, beside the
 * package's own section, AAM sections no installed package deploys: their
 * markers tell a reviewer that AAM checks them, and nothing does
 * (deployed-review F2). Agents load the whole file, the package's section
 * with it. It names five and counts the rest (diff5-review F8).
 */
export function unownedSectionFindings(result: DeployedResult, index: PlaceIndex, root: string): Finding[] {
  const byFile = new Map<string, Set<string>>();
  // A file whose sections were read up to the bound (sectionsIn) may hold more than are named.
  const bounded = new Set<string>();
  for (const copy of result.deployed) {
    if ((copy.beside?.length ?? 0) >= MAX_SECTIONS_BESIDE) bounded.add(copy.path);
    for (const section of copy.beside ?? []) {
      if (index.claimed(placeKey(copy.path, section))) continue;
      const sections = byFile.get(copy.path) ?? new Set<string>();
      byFile.set(copy.path, sections.add(section));
    }
  }
  // One finding a file, naming a few: a file of thousands of sections is not thousands of findings (diff5-review F8).
  return [...byFile].map(([file, sections]) => {
    const path = relative(root, file).startsWith('..') ? file : relative(root, file);
    const names = [...sections];
    const shown = names.slice(0, 5).map((s) => `"${s}"`);
    const more = `${bounded.has(file) ? 'at least ' : ''}${names.length - shown.length} more`;
    const listed = names.length > shown.length ? `${shown.join(', ')} and ${more}` : shown.join(' and ');
    return {
      code: 'SECTION_UNOWNED' as const,
      action: 'warn' as const,
      message:
        names.length === 1
          ? `${path} holds an AAM section ${listed} that no installed package deploys: agents load its text beside ${result.name}'s section, and nothing checks it.`
          : `${path} holds AAM sections no installed package deploys, ${listed}: agents load their text beside ${result.name}'s section, and nothing checks it.`,
      // The file, as the views name it.
      expected: file,
      actual: names[0],
      hint: `Remove ${names.length === 1 ? 'the section' : 'those sections'} from ${path}, or install the package that deploys ${names.length === 1 ? 'it' : 'each'} (aam-trust install), so that ${names.length === 1 ? 'its' : 'their'} text is verified.`,
    };
  });
}

/**
 * The artifact names of the sections beside these results' own in their
 * shared files that `index` knows no claim on: what verifying only some
 * packages must look for in the others' manifests before it can call a
 * section nobody's.
 */
export function unclaimedBeside(results: Iterable<DeployedResult>, index: PlaceIndex): string[] {
  const names = new Set<string>();
  for (const result of results)
    for (const copy of result.deployed)
      for (const section of copy.beside ?? [])
        if (!index.claimed(placeKey(copy.path, section))) names.add(section.slice(0, section.indexOf(' ')));
  return [...names];
}
