import { placesOf, PLATFORMS } from '../../deploy/platforms.ts';
import type { DeployRoots } from '../../deploy/platforms.ts';
import { readRegularFileIntoSync, readRegularFileSync } from '../../fs/safe-read.ts';
import { childPath } from '../../lockfile/paths.ts';
import { parseManifest } from '../../package/manifest.ts';
import type { Manifest } from '../../package/manifest.ts';

/**
 * The places (deployed paths, or sections of a shared file) an installed
 * package's artifacts go to, from its installed `aam.yaml`. Used only to
 * find which other packages to look at for a shared place: a package whose
 * claims were edited away is not looked at, and its rival's copy then fails
 * as edited — never the other way round. `knownText` is the installed
 * aam.yaml's text when the caller has just read it (verification's scan).
 */
export function claimsOfInstalled(installedDir: string, roots: DeployRoots, knownText?: string): string[] {
  if (knownText === undefined) return installedClaims(installedDir, roots).places;
  const manifest = manifestOf(knownText);
  return manifest ? placesOf(manifest, PLATFORMS, roots) : [];
}

/** The places an installed package claims, and the names of the artifacts that go there. */
export function installedClaims(installedDir: string, roots: DeployRoots): { places: string[]; names: string[] } {
  const manifest = installedManifest(installedDir);
  return manifest
    ? { places: placesOf(manifest, PLATFORMS, roots), names: artifactNames(manifest) }
    : { places: [], names: [] };
}

/**
 * Which installed manifests can claim a place that artifacts of the given
 * names go to — what verifying only some packages must parse of all the
 * others (parsing a thousand manifests is most of a one-package run).
 *
 * A place is its artifact's name with a fixed folder, prefix and suffix
 * (`prompts/NAME.md`, `rules/agent-NAME.mdc`, a section named NAME), and
 * artifact names are `[a-z0-9-]`: a manifest claiming the place of NAME names
 * NAME itself or, in Cursor's rules folder, `agent-NAME` (or NAME is
 * `agent-` and that name). Written in YAML, such a name appears in its text
 * as it is, but in a double-quoted scalar with escapes: a text without the
 * name and without a backslash cannot claim the place, and is not parsed.
 */
export class ClaimFilter {
  private readonly names: ReadonlySet<string>;
  private readonly needles: readonly string[];
  private readonly ascii: boolean;

  constructor(names: Iterable<string>) {
    this.names = new Set(names);
    const needles = new Set<string>();
    for (const name of this.names) {
      needles.add(name);
      if (name.startsWith('agent-') && name.length > 'agent-'.length) needles.add(name.slice('agent-'.length));
    }
    this.needles = [...needles];
    // oxlint-disable-next-line no-control-regex -- ASCII is exactly what this asks
    this.ascii = this.needles.every((needle) => /^[\x00-\x7f]*$/.test(needle));
  }

  mayClaim(text: string): boolean {
    return text.includes('\\') || this.needles.some((needle) => text.includes(needle));
  }

  /**
   * `mayClaim` of the text these UTF-8 bytes decode to, read in the bytes: an
   * ASCII character of the text is the same byte in them and no other bytes
   * decode to one (a malformed sequence becomes U+FFFD and leaves the ASCII
   * byte after it alone), so an ASCII needle or a backslash is in one exactly
   * when it is in the other. A needle that is not ASCII is looked for in the text.
   */
  mayClaimBytes(bytes: Buffer): boolean {
    if (!this.ascii) return this.mayClaim(bytes.toString('utf8'));
    return bytes.includes(0x5c /* a backslash */) || this.needles.some((needle) => bytes.includes(needle));
  }

  /** Whether the places of these artifact names are all ones the filter keeps every claim on. */
  covers(names: Iterable<string>): boolean {
    for (const name of names) if (!this.names.has(name)) return false;
    return true;
  }
}

/** What `claimsOfInstalled` says, for a manifest `filter` lets through; [] for one that cannot claim its places. */
export function filteredClaims(installedDir: string, roots: DeployRoots, filter: ClaimFilter): string[] {
  let manifest: Manifest | undefined;
  try {
    // Most manifests cannot claim the places: looked for in their bytes, read into one buffer, never decoded.
    const bytes = readRegularFileIntoSync(
      childPath(installedDir, 'aam.yaml'),
      'manifest',
      (scratch ??= Buffer.allocUnsafeSlow(64 * 1024)),
    );
    manifest = bytes && filter.mayClaimBytes(bytes) ? parseManifest(bytes.toString('utf8')) : undefined;
  } catch {
    manifest = undefined;
  }
  return manifest ? placesOf(manifest, PLATFORMS, roots) : [];
}

/** Where `filteredClaims` reads manifests. */
let scratch: Buffer | undefined;

function installedManifest(installedDir: string): Manifest | undefined {
  try {
    const read = readRegularFileSync(childPath(installedDir, 'aam.yaml'), 'manifest');
    return read && manifestOf(read.bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

function manifestOf(text: string): Manifest | undefined {
  try {
    return parseManifest(text);
  } catch {
    return undefined;
  }
}

function artifactNames(manifest: Manifest): string[] {
  const { agents, skills, prompts, instructions } = manifest.artifacts;
  return [...agents, ...skills, ...prompts, ...instructions].map((ref) => ref.name);
}
