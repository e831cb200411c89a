/** The agent platforms `aam install` deploys to, one adapter each in the `aam` CLI. */
export const PLATFORMS = ['cursor', 'claude', 'copilot', 'codex'] as const;
export type Platform = (typeof PLATFORMS)[number];

/**
 * The key of a place two packages can share: its path, and for a section
 * of a shared file the section's name and kind (the same key a deployed
 * copy has, so what a package claims and what is found compare directly).
 */
export function placeKey(path: string, section: string | undefined): string {
  return `${path}\u0000${section ?? ''}`;
}
