import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { DeployRoots, Platform } from './platforms.ts';

/**
 * Where each platform's agent reads its instructions, skills, prompts and
 * agents at one fixed place: the places `aam install` deploys to (SPEC §1),
 * and the platforms' own files beside them that no package manages
 * (`.cursorrules`, `.github/copilot-instructions.md`, `.claude/commands/`…).
 * Paths relative to the project, or to the home folder (`~/.codex`, `~/.claude`).
 */
const PLACES: { platforms: Platform[]; base: 'project' | 'home'; path: string; folder: boolean }[] = [
  { platforms: ['cursor'], base: 'project', path: '.cursor/skills', folder: true },
  { platforms: ['cursor'], base: 'project', path: '.cursor/prompts', folder: true },
  { platforms: ['cursor'], base: 'project', path: '.cursor/commands', folder: true },
  { platforms: ['cursor'], base: 'project', path: '.cursorrules', folder: false },
  { platforms: ['claude'], base: 'project', path: '.claude/CLAUDE.md', folder: false },
  { platforms: ['claude'], base: 'project', path: '.claude/agents', folder: true },
  { platforms: ['claude'], base: 'project', path: '.claude/skills', folder: true },
  { platforms: ['claude'], base: 'project', path: '.claude/prompts', folder: true },
  { platforms: ['claude'], base: 'project', path: '.claude/commands', folder: true },
  { platforms: ['claude'], base: 'home', path: '.claude/CLAUDE.md', folder: false },
  { platforms: ['copilot'], base: 'project', path: '.github/copilot-instructions.md', folder: false },
  { platforms: ['copilot'], base: 'project', path: '.github/instructions', folder: true },
  { platforms: ['copilot'], base: 'project', path: '.github/agents', folder: true },
  { platforms: ['copilot'], base: 'project', path: '.github/skills', folder: true },
  { platforms: ['copilot'], base: 'project', path: '.github/prompts', folder: true },
  { platforms: ['codex'], base: 'home', path: '.codex/AGENTS.md', folder: false },
  { platforms: ['codex'], base: 'home', path: '.codex/AGENTS.override.md', folder: false },
  { platforms: ['codex'], base: 'home', path: '.codex/skills', folder: true },
  { platforms: ['codex'], base: 'home', path: '.codex/prompts', folder: true },
];

/**
 * Files an agent loads in any folder of the project, the root included: Claude
 * Code reads the `CLAUDE.md` of the folders it works in, Codex the nearest
 * `AGENTS.md` (or `AGENTS.override.md`), and Cursor and Copilot read
 * `AGENTS.md` too (the root's, and nested ones).
 */
const NESTED_FILES: ReadonlyMap<string, Platform[]> = new Map([
  ['CLAUDE.md', ['claude']],
  ['CLAUDE.local.md', ['claude']],
  ['AGENTS.md', ['cursor', 'copilot', 'codex']],
  ['AGENTS.override.md', ['codex']],
]);

/** Folders whose every file an agent loads, in any folder of the project: Cursor's nested `.cursor/rules`. */
const NESTED_FOLDERS: { path: string[]; platforms: Platform[] }[] = [
  { path: ['.cursor', 'rules'], platforms: ['cursor'] },
];

/**
 * Folders the search for nested files does not enter: dependencies, version
 * control, caches and virtual environments (heavy, and not the project's own
 * instructions), and AAM's own store (installed packages, not deployed copies).
 */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set([
  'node_modules',
  'bower_components',
  '.git',
  '.hg',
  '.svn',
  '.jj',
  '.aam',
  '.venv',
  'venv',
  '__pycache__',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.next',
  '.nuxt',
  '.turbo',
  '.cache',
  '.gradle',
  '.terraform',
]);

/** How far the search for nested files goes: folder levels below the project, folders read, files listed. */
export interface SurfaceLimits {
  depth: number;
  folders: number;
  files: number;
}

export const SURFACE_LIMITS: SurfaceLimits = { depth: 8, folders: 20_000, files: 5_000 };

/** A file an agent loads, with its platform (a file several platforms load is listed once for each). */
export interface AgentFile {
  platform: Platform;
  path: string;
}

/** What agents load in a project, and which limit, if any, stopped the search before it saw everything. */
export interface AgentSurface {
  files: AgentFile[];
  stopped?: 'depth' | 'folders' | 'files';
}

/** The platforms whose agents load `path` (none: no agent does). By its path alone: nothing is read. */
export function agentPlatformsOf(path: string, roots: DeployRoots, limits = SURFACE_LIMITS): Platform[] {
  const out = new Set<Platform>();
  for (const place of PLACES) {
    const full = join(place.base === 'home' ? roots.home : roots.project, place.path);
    if (path === full || (place.folder && path.startsWith(`${full}${sep}`)))
      for (const p of place.platforms) out.add(p);
  }
  if (path.startsWith(`${roots.project}${sep}`)) {
    const segments = relative(roots.project, path).split(sep);
    const folders = segments.slice(0, -1);
    if (!folders.some((f) => SKIPPED_FOLDERS.has(f) || isStaging(f))) {
      if (folders.length <= limits.depth) for (const p of NESTED_FILES.get(segments.at(-1)!) ?? []) out.add(p);
      for (const nested of NESTED_FOLDERS) {
        const at = indexOfRun(folders, nested.path);
        if (at >= 0 && at < limits.depth) for (const p of nested.platforms) out.add(p);
      }
    }
  }
  return [...out];
}

/** Every file agents load in a project (and in the home folder), per platform, sorted by platform, then the project's before the home folder's, then path. */
export async function agentFiles(roots: DeployRoots, limits = SURFACE_LIMITS): Promise<AgentFile[]> {
  return (await agentSurface(roots, limits)).files;
}

/**
 * Every file agents load: the fixed places, and the nested files of every
 * folder of the project down to `limits.depth` levels, skipping
 * SKIPPED_FOLDERS. Symbolic links to folders are not entered; a linked file
 * is listed only when it resolves inside the project (or home folder) it is in.
 */
export async function agentSurface(roots: DeployRoots, limits = SURFACE_LIMITS): Promise<AgentSurface> {
  const found = new Map<string, Set<Platform>>();
  const add = (path: string, platforms: readonly Platform[]) => {
    const set = found.get(path) ?? new Set();
    for (const p of platforms) set.add(p);
    found.set(path, set);
  };
  const surface: AgentSurface = { files: [] };
  const full = (place: (typeof PLACES)[number]) => join(place.base === 'home' ? roots.home : roots.project, place.path);
  for (const place of PLACES) {
    const base = place.base === 'home' ? roots.home : roots.project;
    if (!place.folder) {
      if (await isFileInside(full(place), base)) add(full(place), place.platforms);
      continue;
    }
    // A place reached through a link out of the project (or home folder) is not followed.
    if (await isInside(full(place), base))
      for (const file of await filesUnder(full(place), base)) add(file, place.platforms);
  }
  await walkNested(roots.project, limits, add, (why) => (surface.stopped ??= why));
  const order = ['cursor', 'claude', 'copilot', 'codex'];
  for (const [path, platforms] of found) for (const platform of platforms) surface.files.push({ platform, path });
  const home = (f: AgentFile) => (f.path.startsWith(`${roots.project}${sep}`) ? 0 : 1);
  surface.files.sort(
    (a, b) => order.indexOf(a.platform) - order.indexOf(b.platform) || home(a) - home(b) || compare(a.path, b.path),
  );
  if (surface.files.length > limits.files) {
    surface.files.length = limits.files;
    surface.stopped ??= 'files';
  }
  return surface;
}

/** Breadth first through the project's folders, a few reads at a time, for the nested files and folders. */
async function walkNested(
  project: string,
  limits: SurfaceLimits,
  add: (path: string, platforms: readonly Platform[]) => void,
  stop: (why: 'depth' | 'folders') => void,
): Promise<void> {
  let level: { path: string; segments: string[] }[] = [{ path: project, segments: [] }];
  let read = 0;
  while (level.length > 0) {
    const next: typeof level = [];
    for (let i = 0; i < level.length; i += 16) {
      const batch = level.slice(i, i + 16);
      if (read + batch.length > limits.folders) return stop('folders');
      read += batch.length;
      await Promise.all(
        batch.map(async (folder) => {
          for (const entry of await entriesOf(folder.path)) {
            const path = join(folder.path, entry.name);
            // A linked folder that resolves inside the project is what agents load through it: a linked
            // `.cursor/rules` hid every rule there (deployed-review F4). The limits bound a link to an ancestor.
            if (entry.isDirectory() || (entry.isSymbolicLink() && (await isFolderInside(path, project)))) {
              if (SKIPPED_FOLDERS.has(entry.name) || isStaging(entry.name)) continue;
              const segments = [...folder.segments, entry.name];
              const nested = NESTED_FOLDERS.find((n) => endsWith(segments, n.path));
              if (nested) for (const file of await filesUnder(path, project)) add(file, nested.platforms);
              else if (segments.length <= limits.depth) next.push({ path, segments });
              else stop('depth');
              continue;
            }
            const platforms = NESTED_FILES.get(entry.name);
            if (platforms && (entry.isFile() || (entry.isSymbolicLink() && (await isFileInside(path, project)))))
              add(path, platforms);
          }
        }),
      );
    }
    level = next;
  }
}

/** Every file under a folder, in order; links to folders are not entered, linked files must resolve inside `base`. */
async function filesUnder(folder: string, base: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await entriesOf(folder);
  for (const entry of entries.sort((a, b) => compare(a.name, b.name))) {
    // Staging folders of an install in progress are not what agents load.
    if (isStaging(entry.name)) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path, base)));
    else if (entry.isFile() || (entry.isSymbolicLink() && (await isFileInside(path, base)))) out.push(path);
  }
  return out;
}

async function entriesOf(folder: string): Promise<Dirent[]> {
  return readdir(folder, { withFileTypes: true }).catch(() => []);
}

/** A file (or a link to one) that resolves inside `base`: never a file outside the workspace. */
async function isFileInside(path: string, base: string): Promise<boolean> {
  const info = await lstat(path).catch(() => undefined);
  if (!info || !(info.isFile() || info.isSymbolicLink()) || !(await isInside(path, base))) return false;
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** A folder (or a link to one) that resolves inside `base`. */
async function isFolderInside(path: string, base: string): Promise<boolean> {
  return (await isInside(path, base)) && ((await stat(path).catch(() => undefined))?.isDirectory() ?? false);
}

/** Whether a path, every link on it resolved, is inside `base` (resolved too). */
async function isInside(path: string, base: string): Promise<boolean> {
  const [target, root] = await Promise.all([realpath(path).catch(() => ''), realpath(base).catch(() => base)]);
  return target.startsWith(`${root}${sep}`);
}

function isStaging(name: string): boolean {
  return name.startsWith('.') && name.includes('.aam-');
}

function endsWith(segments: readonly string[], tail: readonly string[]): boolean {
  return tail.length <= segments.length && tail.every((t, i) => segments[segments.length - tail.length + i] === t);
}

function indexOfRun(segments: readonly string[], run: readonly string[]): number {
  for (let i = 0; i + run.length <= segments.length; i++) if (run.every((r, j) => segments[i + j] === r)) return i;
  return -1;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A path as a reviewer reads it: relative to the project, or `~/…` in the home folder. */
export function displayPath(path: string, roots: DeployRoots): string {
  if (path.startsWith(`${roots.project}${sep}`)) return relative(roots.project, path);
  if (path.startsWith(`${roots.home}${sep}`)) return `~/${relative(roots.home, path)}`;
  return path;
}
