import { join, posix, sep } from 'node:path';
import type { ArtifactRef, Manifest } from '../package/manifest.ts';
import { messageOf } from '../errors.ts';
import { YamlSource, MAX_ALIAS_COUNT } from '../yaml/source.ts';
import { agentMdc, instructionMdc, readText, sectionText } from './transform.ts';
import type { AgentDefinition } from './transform.ts';

import type { Platform } from '../model/platform.ts';
import { placeKey } from '../model/platform.ts';

export { PLATFORMS } from '../model/platform.ts';
export type { Platform } from '../model/platform.ts';

export type ArtifactType = 'agent' | 'skill' | 'prompt' | 'instruction';

/** A file of a package archive, as deployment needs it. */
export interface SourceFile {
  data: Uint8Array;
  executable: boolean;
}

/** One artifact's deployed copy on one platform: what it must be, and where. */
export type DeployTarget = TargetBase &
  /** A folder that must hold exactly these files (a skill). */
  (
    | { kind: 'tree'; files: Map<string, SourceFile> }
    /** A file that must hold exactly these bytes. */
    | { kind: 'file'; file: SourceFile }
    /** A marker-delimited section of a shared file (CLAUDE.md, AGENTS.md); the rest of the file is the user's. */
    | { kind: 'section'; section: 'agent' | 'instruction'; content: string }
  );

interface TargetBase {
  platform: Platform;
  type: ArtifactType;
  name: string;
  path: string;
  /** The platform's folder (`.cursor`, `~/.codex`…), or the shared file itself: when it is absent, nothing is deployed there. */
  root: string;
  /**
   * Where a write of this copy checks folders from (each one below must be a real folder): the
   * project, whose `.cursor` or `.claude/skills` a repository decides; or the platform's folder
   * itself where it is the user's own (`~/.codex`, and every folder of a global install), often a
   * link into their dotfiles.
   */
  checkedFrom: string;
}

/** Where deployed copies go: the project (or home, for global installs) and the user's home (Codex). */
export interface DeployRoots {
  project: string;
  home: string;
}

/**
 * Every deployed copy of a package on `platform`, computed from its archive
 * as `aam install --platform PLATFORM` would write it: same paths, same
 * names, same transformations. Artifacts in `aam`'s order (agents, skills,
 * prompts, instructions), so shared files get their sections in its order.
 */
export function deployTargets(
  manifest: Manifest,
  files: ReadonlyMap<string, SourceFile>,
  platform: Platform,
  roots: DeployRoots,
): DeployTarget[] {
  const out: DeployTarget[] = [];
  for (const [type, refs] of artifactsOf(manifest))
    for (const ref of refs) out.push(targetFor(platform, type, ref, files, roots));
  return out;
}

/**
 * An artifact whose copy on a platform cannot be computed from the archive
 * (aam refuses to deploy it there): where it would go, and why not.
 */
export type UncomputableTarget = TargetBase & {
  kind: 'uncomputable';
  section: 'agent' | 'instruction' | undefined;
  reason: string;
};

/**
 * `deployTargets`, artifact by artifact: one that cannot be computed on this
 * platform (Cursor needs an agent's description; only Copilot copies a
 * non-UTF-8 instruction as it is) gives its place and the reason instead of
 * throwing, so the package's other artifacts are still compared.
 */
export function deployPlan(
  manifest: Manifest,
  files: ReadonlyMap<string, SourceFile>,
  platform: Platform,
  roots: DeployRoots,
): (DeployTarget | UncomputableTarget)[] {
  const out: (DeployTarget | UncomputableTarget)[] = [];
  for (const [type, refs] of artifactsOf(manifest))
    for (const ref of refs)
      try {
        out.push(targetFor(platform, type, ref, files, roots));
      } catch (error) {
        const { section, ...place } = placeOf(platform, type, ref.name, roots);
        out.push({ ...place, kind: 'uncomputable', section, reason: messageOf(error) });
      }
  return out;
}

/** Where one artifact goes on one platform: a path of its own, or a section of a shared file. */
type Place = TargetBase & { section?: 'agent' | 'instruction' };

/** `aam`'s adapters' paths, from the artifact's type and name alone (no content is read). */
function placeOf(platform: Platform, type: ArtifactType, name: string, roots: DeployRoots): Place {
  // Artifact names are plain ([a-z0-9-]), so aam's fs-name is the name itself.
  const folder = folderOf(platform, roots);
  const own = platform === 'codex' || roots.project === roots.home;
  const at = (...parts: string[]): Place => ({
    platform,
    type,
    name,
    path: under(folder, parts),
    root: folder,
    checkedFrom: own ? folder : roots.project,
  });
  const shared = (file: string, section: 'agent' | 'instruction'): Place => {
    const path = join(roots.project, file);
    return { platform, type, name, path, root: path, checkedFrom: roots.project, section };
  };
  switch (type) {
    case 'skill':
      return at('skills', name);
    case 'prompt':
      return at('prompts', `${name}.md`);
    case 'agent':
      if (platform === 'cursor') return at('rules', `agent-${name}.mdc`);
      if (platform === 'claude') return at('agents', `${name}.md`);
      if (platform === 'copilot') return at('agents', `${name}.agent.md`);
      return shared('AGENTS.md', 'agent');
    case 'instruction':
      if (platform === 'copilot') return at('instructions', `${name}.instructions.md`);
      if (platform === 'cursor') return at('rules', `${name}.mdc`);
      return shared(platform === 'claude' ? 'CLAUDE.md' : 'AGENTS.md', 'instruction');
  }
}

const folders = new Map<string, string>();

/** A platform's folder (joined once per project and home: every package of a verification asks). */
function folderOf(platform: Platform, roots: DeployRoots): string {
  const key = `${platform}\0${roots.project}\0${roots.home}`;
  let folder = folders.get(key);
  if (folder === undefined) {
    folder = platform === 'codex' ? join(roots.home, '.codex') : join(roots.project, FOLDER[platform]);
    if (folders.size >= 64) folders.clear();
    folders.set(key, folder);
  }
  return folder;
}

const PLAIN = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** `join(folder, ...parts)` for a folder `join` made: plain names are appended as they are, anything else is joined. */
function under(folder: string, parts: string[]): string {
  return parts.every((part) => PLAIN.test(part)) ? [folder, ...parts].join(sep) : join(folder, ...parts);
}

/** Every place a package's artifacts go, on every platform: what it would collide on with another package. */
export function placesOf(manifest: Manifest, platforms: readonly Platform[], roots: DeployRoots): string[] {
  const keys: string[] = [];
  for (const platform of platforms)
    for (const [type, refs] of artifactsOf(manifest))
      for (const ref of refs) {
        const place = placeOf(platform, type, ref.name, roots);
        keys.push(placeKey(place.path, place.section && `${ref.name} ${place.section}`));
      }
  return keys;
}

function artifactsOf(manifest: Manifest): [ArtifactType, ArtifactRef[]][] {
  return [
    ['agent', manifest.artifacts.agents],
    ['skill', manifest.artifacts.skills],
    ['prompt', manifest.artifacts.prompts],
    ['instruction', manifest.artifacts.instructions],
  ];
}

function targetFor(
  platform: Platform,
  type: ArtifactType,
  ref: ArtifactRef,
  files: ReadonlyMap<string, SourceFile>,
  roots: DeployRoots,
): DeployTarget {
  const { section, ...place } = placeOf(platform, type, ref.name, roots);
  const text = (content: string): SourceFile => ({ data: Buffer.from(content, 'utf8'), executable: false });
  switch (type) {
    case 'skill':
      return { ...place, kind: 'tree', files: skillFiles(ref.path, files) };
    case 'prompt':
      return { ...place, kind: 'file', file: required(files, ref.path) };
    case 'agent': {
      const content = platform === 'cursor' && !section ? cursorAgent(ref, files) : agentContent(ref, files);
      if (section) return { ...place, kind: 'section', section, content: sectionText(content, ref.path) };
      return { ...place, kind: 'file', file: text(content) };
    }
    case 'instruction': {
      if (platform === 'copilot') return { ...place, kind: 'file', file: required(files, ref.path) };
      const content = readText(required(files, ref.path).data, ref.path);
      if (section) return { ...place, kind: 'section', section, content: sectionText(content, ref.path) };
      return { ...place, kind: 'file', file: text(instructionMdc(ref.description, content)) };
    }
  }
}

const FOLDER: Record<Exclude<Platform, 'codex'>, string> = { cursor: '.cursor', claude: '.claude', copilot: '.github' };

/** A path inside the archive, as a path the archive lists; undefined when it would leave the package. */
function inside(...parts: string[]): string | undefined {
  if (parts.some((p) => p.startsWith('/'))) return undefined;
  const path = posix.normalize(parts.join('/')).replace(/\/+$/, '');
  return path === '..' || path.startsWith('../') || path === '.' ? undefined : path;
}

function required(files: ReadonlyMap<string, SourceFile>, path: string): SourceFile {
  const key = inside(path);
  const file = key !== undefined ? files.get(key) : undefined;
  if (!file) throw new Error(`the artifact path ${path} is not a file in the package`);
  return file;
}

/** A skill folder's files (relative to it), or a single-file skill under its own name. */
function skillFiles(path: string, files: ReadonlyMap<string, SourceFile>): Map<string, SourceFile> {
  const key = inside(path);
  const out = new Map<string, SourceFile>();
  if (key === undefined) throw new Error(`the artifact path ${path} leaves the package`);
  const single = files.get(key);
  if (single) return out.set(posix.basename(key), single);
  for (const [file, content] of files) if (file.startsWith(`${key}/`)) out.set(file.slice(key.length + 1), content);
  if (out.size === 0) throw new Error(`the skill path ${path} is not in the package`);
  return out;
}

/** `_read_agent_content` (Claude, Copilot, Codex): the system prompt, else a heading and the description. */
function agentContent(ref: ArtifactRef, files: ReadonlyMap<string, SourceFile>): string {
  const prompt = fileIn(files, ref.path, 'system-prompt.md');
  if (prompt) return readText(prompt.data, `${ref.path}/system-prompt.md`);
  const yaml = fileIn(files, ref.path, 'agent.yaml');
  if (yaml) {
    const data = loadYaml(yaml.data, `${ref.path}/agent.yaml`);
    const named = data.system_prompt === undefined ? 'system-prompt.md' : data.system_prompt;
    if (typeof named === 'string') {
      const alt = fileIn(files, ref.path, named);
      if (alt) return readText(alt.data, `${ref.path}/${named}`);
    }
  }
  return `# ${ref.name}\n\n${ref.description}\n`;
}

/** `CursorAdapter.deploy_agent`: an `.mdc` rule from `agent.yaml` and the system prompt. */
function cursorAgent(ref: ArtifactRef, files: ReadonlyMap<string, SourceFile>): string {
  const yaml = fileIn(files, ref.path, 'agent.yaml');
  const agent: AgentDefinition = yaml
    ? agentDefinition(loadYaml(yaml.data, `${ref.path}/agent.yaml`), `${ref.path}/agent.yaml`)
    : { name: ref.name, description: ref.description, systemPrompt: 'system-prompt.md', skills: [], prompts: [] };
  const prompt = fileIn(files, ref.path, 'system-prompt.md') ?? fileIn(files, ref.path, agent.systemPrompt);
  return agentMdc(agent, prompt ? readText(prompt.data, `${ref.path}/${agent.systemPrompt}`) : '');
}

function fileIn(files: ReadonlyMap<string, SourceFile>, dir: string, name: string): SourceFile | undefined {
  const key = inside(dir, name);
  return key === undefined ? undefined : files.get(key);
}

function loadYaml(bytes: Uint8Array, where: string): Record<string, unknown> {
  const source = new YamlSource(readText(bytes, where));
  if (source.doc.errors.length > 0) throw new Error(`${where} is not valid YAML`);
  const value = source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  // aam's load_yaml wraps a non-mapping as {_root: …}, where no key is found.
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** `AgentDefinition(**data)`, with the fields the adapter uses; aam refuses the same documents. */
function agentDefinition(data: Record<string, unknown>, where: string): AgentDefinition {
  const text = (key: string) => {
    if (typeof data[key] !== 'string') throw new Error(`${where} needs "${key}" as text`);
    return data[key] as string;
  };
  const list = (key: string) => {
    const value = data[key] ?? [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      throw new Error(`${where}: "${key}" must be a list of names`);
    return value as string[];
  };
  return {
    name: text('name'),
    description: text('description'),
    systemPrompt: text('system_prompt'),
    skills: list('skills'),
    prompts: list('prompts'),
  };
}
