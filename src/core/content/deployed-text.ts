import { posix } from 'node:path';
import { parseManifest } from '../package/manifest.ts';
import type { ArtifactRef, Manifest } from '../package/manifest.ts';
import { parseSimpleYaml } from '../yaml/simple-yaml.ts';
import { MAX_ALIAS_COUNT, YamlSource } from '../yaml/source.ts';
import type { Range, YamlPath } from '../yaml/source.ts';

/**
 * What agents load of a package beyond its files' own text, as aam's transforms
 * (src/core/deploy/platforms.ts, transform.ts) write it: values parsed from YAML
 * (an instruction's description in its Cursor rule; an agent's description, or
 * its agent.yaml's name, description, skills and prompts, in its agent file),
 * and files deployed under a Markdown name whatever their own (`style.txt`
 * becomes `.cursor/rules/style.mdc`). A YAML double-quoted scalar spells any
 * character in ASCII ("\U000E0049"), so a clean-looking aam.yaml can put tag
 * characters in an always-applied rule; a `.txt` file is not read for HTML
 * comments, its deployed copy is. test/core/content/deployed-text.test.ts
 * holds this to the transforms.
 */

/** A value parsed from a package's YAML that a transform writes into files agents load. */
export interface CopiedValue {
  /** The YAML file, as the archive lists it. */
  file: string;
  /** Where the value is in it: ['artifacts', 'instructions', 0, 'description']. */
  at: YamlPath;
  text: string;
  /** The files it is written into, relative to the project (`.cursor/rules/style.mdc`). */
  into: string[];
}

/** The parsed values a package's deployed files hold, and which of its files agents load as Markdown. */
export interface DeployedText {
  values: CopiedValue[];
  /** Archive paths of the instructions, prompts and agents' system prompts: each is deployed as a Markdown file. */
  markdown: Set<string>;
}

/**
 * A package's deployed text, read from its archive's files. An aam.yaml that
 * aam cannot read deploys nothing; an agent.yaml it cannot read, no value of
 * its agent (Cursor's rule fails, and the others copy the system prompt or fail).
 */
export function deployedText(files: ReadonlyMap<string, Uint8Array>): DeployedText {
  const out: DeployedText = { values: [], markdown: new Set() };
  const yaml = files.get('aam.yaml');
  if (!yaml) return out;
  let manifest: Manifest;
  try {
    // Decoded as the archive reader decodes it (manifestText): parseManifest then reuses the value it just read.
    manifest = parseManifest(Buffer.from(yaml.buffer, yaml.byteOffset, yaml.byteLength).toString('utf8'));
  } catch {
    return out;
  }
  const { instructions, prompts, agents } = manifest.artifacts;
  instructions.forEach((ref, i) => {
    addPath(out.markdown, ref.path);
    // instructionMdc: `description: "…"` in the rule's front matter (the other platforms copy only the file).
    copy(out, 'aam.yaml', ['artifacts', 'instructions', i, 'description'], ref.description, [
      `.cursor/rules/${ref.name}.mdc`,
    ]);
  });
  for (const ref of prompts) addPath(out.markdown, ref.path);
  agents.forEach((ref, i) => agentText(out, files, ref, i));
  return out;
}

/** Where an agent's values go: `cursorAgent` (an `.mdc` rule) and `agentContent` (Claude, Copilot, Codex). */
function agentText(out: DeployedText, files: ReadonlyMap<string, Uint8Array>, ref: ArtifactRef, index: number): void {
  const definition = inside(ref.path, 'agent.yaml');
  const bytes = definition === undefined ? undefined : files.get(definition);
  const data = bytes && yamlMapping(bytes);
  if (data === null) return;
  const named = data?.system_prompt === undefined ? 'system-prompt.md' : data.system_prompt;
  const namedPath = typeof named === 'string' ? inside(ref.path, named) : undefined;
  if (namedPath !== undefined && files.has(namedPath)) out.markdown.add(namedPath);
  const cursor = `.cursor/rules/agent-${ref.name}.mdc`;
  // agentContent writes `# name` and the description when the agent has no system prompt to copy.
  const prompted = has(files, ref.path, 'system-prompt.md') || (data !== undefined && files.has(namedPath ?? ''));
  const others = prompted ? [] : [`.claude/agents/${ref.name}.md`, `.github/agents/${ref.name}.agent.md`, 'AGENTS.md'];
  const described = data === undefined ? [cursor, ...others] : others;
  copy(out, 'aam.yaml', ['artifacts', 'agents', index, 'description'], ref.description, described);
  if (data === undefined) return;
  // agentMdc, from the AgentDefinition: `description: "…"`, `# Agent: name`, and a list item for each skill and prompt.
  for (const key of ['name', 'description'] as const) copy(out, definition!, [key], data[key], [cursor]);
  for (const key of ['skills', 'prompts'] as const) {
    const list = data[key];
    if (Array.isArray(list)) list.forEach((item, i) => copy(out, definition!, [key, i], item, [cursor]));
  }
}

function copy(out: DeployedText, file: string, at: YamlPath, value: unknown, into: string[]): void {
  if (typeof value === 'string' && value !== '' && into.length > 0) out.values.push({ file, at, text: value, into });
}

/** A path inside the archive, as the transforms look it up (`inside` in platforms.ts); undefined when it leaves it. */
function inside(...parts: string[]): string | undefined {
  if (parts.some((p) => p.startsWith('/'))) return undefined;
  const path = posix.normalize(parts.join('/')).replace(/\/+$/, '');
  return path === '..' || path.startsWith('../') || path === '.' ? undefined : path;
}

function addPath(set: Set<string>, path: string): void {
  const key = inside(path);
  if (key !== undefined) set.add(key);
}

function has(files: ReadonlyMap<string, Uint8Array>, dir: string, name: string): boolean {
  const key = inside(dir, name);
  return key !== undefined && files.has(key);
}

/** The text of an agent.yaml as `readText` gives it to the transforms: strict UTF-8, universal newlines. */
function yamlText(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/\r\n?/g, '\n');
  } catch {
    return undefined;
  }
}

/** An agent.yaml's mapping as `loadYaml` reads it ({} for a document that is not one); null where aam fails. */
function yamlMapping(bytes: Uint8Array): Record<string, unknown> | null {
  const text = yamlText(bytes);
  if (text === undefined) return null;
  let value: unknown;
  // The fast reader where it can (it reads as the full parser does, or leaves the document to it).
  const simple = parseSimpleYaml(text);
  if (simple) value = simple.value;
  else {
    const source = new YamlSource(text);
    if (source.doc.errors.length > 0) return null;
    try {
      value = source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
    } catch {
      return null;
    }
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Where a copied value is in its YAML file (the scalar's range), for a finding to point at. */
export function rangeOfValue(files: ReadonlyMap<string, Uint8Array>, value: CopiedValue): Range {
  const bytes = files.get(value.file)!;
  const text =
    value.file === 'aam.yaml'
      ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
      : (yamlText(bytes) ?? '');
  return (parseSimpleYaml(text) ?? new YamlSource(text)).valueRange(value.at);
}

/** `artifacts.instructions[0].description`, as a reader looks for it. */
export function fieldName(at: YamlPath): string {
  return at.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
