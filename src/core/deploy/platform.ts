/** The agent platforms `aam install` deploys to, one adapter each in the `aam` CLI. */
export const PLATFORMS = ['cursor', 'claude', 'copilot', 'codex'] as const;
export type Platform = (typeof PLATFORMS)[number];
