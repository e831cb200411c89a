import { join } from 'node:path';
import { placesOf, PLATFORMS } from '../../deploy/platforms.ts';
import type { DeployRoots } from '../../deploy/platforms.ts';
import { readRegularFileSync } from '../../fs/safe-read.ts';
import { parseManifest } from '../../package/manifest.ts';

/**
 * The places (deployed paths, or sections of a shared file) an installed
 * package's artifacts go to, from its installed `aam.yaml`. Used only to
 * find which other packages to look at for a shared place: a package whose
 * claims were edited away is not looked at, and its rival's copy then fails
 * as edited — never the other way round.
 */
export function claimsOfInstalled(installedDir: string, roots: DeployRoots): string[] {
  try {
    const read = readRegularFileSync(join(installedDir, 'aam.yaml'), 'manifest');
    return read ? placesOf(parseManifest(read.bytes.toString('utf8')), PLATFORMS, roots) : [];
  } catch {
    return [];
  }
}
