import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { DeployRoots, Platform } from './platforms.ts';

/**
 * Where each platform's agent reads its instructions, skills, prompts and
 * agents: the places `aam install` deploys to (SPEC §1), and the platforms'
 * own files beside them that no package manages (`.cursorrules`,
 * `.github/copilot-instructions.md`, `.claude/commands/`, `CLAUDE.local.md`).
 * Paths relative to the project, or to the home folder for `~/.codex`.
 */
const PLACES: { platform: Platform; base: 'project' | 'home'; path: string; folder: boolean }[] = [
  { platform: 'cursor', base: 'project', path: '.cursor/rules', folder: true },
  { platform: 'cursor', base: 'project', path: '.cursor/skills', folder: true },
  { platform: 'cursor', base: 'project', path: '.cursor/prompts', folder: true },
  { platform: 'cursor', base: 'project', path: '.cursorrules', folder: false },
  { platform: 'claude', base: 'project', path: 'CLAUDE.md', folder: false },
  { platform: 'claude', base: 'project', path: 'CLAUDE.local.md', folder: false },
  { platform: 'claude', base: 'project', path: '.claude/agents', folder: true },
  { platform: 'claude', base: 'project', path: '.claude/skills', folder: true },
  { platform: 'claude', base: 'project', path: '.claude/prompts', folder: true },
  { platform: 'claude', base: 'project', path: '.claude/commands', folder: true },
  { platform: 'copilot', base: 'project', path: '.github/copilot-instructions.md', folder: false },
  { platform: 'copilot', base: 'project', path: '.github/instructions', folder: true },
  { platform: 'copilot', base: 'project', path: '.github/agents', folder: true },
  { platform: 'copilot', base: 'project', path: '.github/skills', folder: true },
  { platform: 'copilot', base: 'project', path: '.github/prompts', folder: true },
  { platform: 'codex', base: 'project', path: 'AGENTS.md', folder: false },
  { platform: 'codex', base: 'home', path: '.codex/AGENTS.md', folder: false },
  { platform: 'codex', base: 'home', path: '.codex/skills', folder: true },
  { platform: 'codex', base: 'home', path: '.codex/prompts', folder: true },
];

/** A file an agent loads, with its platform. */
export interface AgentFile {
  platform: Platform;
  path: string;
}

/** The platform whose agent loads `path`, or undefined when no agent does. */
export function agentPlatformOf(path: string, roots: DeployRoots): Platform | undefined {
  for (const place of PLACES) {
    const full = join(place.base === 'home' ? roots.home : roots.project, place.path);
    if (path === full || (place.folder && path.startsWith(`${full}${sep}`))) return place.platform;
  }
  return undefined;
}

/** Every file agents load in a project (and in the home folder, for Codex), per platform, sorted by path. */
export async function agentFiles(roots: DeployRoots, limit = 5000): Promise<AgentFile[]> {
  const out: AgentFile[] = [];
  for (const place of PLACES) {
    const full = join(place.base === 'home' ? roots.home : roots.project, place.path);
    if (!place.folder) {
      if (await isFile(full)) out.push({ platform: place.platform, path: full });
      continue;
    }
    let entries: string[];
    try {
      entries = (await readdir(full, { recursive: true })) as string[];
    } catch {
      continue;
    }
    for (const entry of entries.sort()) {
      // Staging folders of an install in progress are not what agents load.
      if (entry.split(sep).some((segment) => segment.startsWith('.') && segment.includes('.aam-'))) continue;
      if (out.length >= limit) break;
      if (await isFile(join(full, entry))) out.push({ platform: place.platform, path: join(full, entry) });
    }
  }
  return out;
}

async function isFile(path: string): Promise<boolean> {
  return lstat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** A path as a reviewer reads it: relative to the project, or `~/…` in the home folder. */
export function displayPath(path: string, roots: DeployRoots): string {
  if (path.startsWith(`${roots.project}${sep}`)) return relative(roots.project, path);
  if (path.startsWith(`${roots.home}${sep}`)) return `~/${relative(roots.home, path)}`;
  return path;
}
