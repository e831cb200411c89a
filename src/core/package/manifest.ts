import { AamError } from '../errors.ts';
import { parseSimpleYaml } from '../yaml/simple-yaml.ts';
import { YamlSource, MAX_ALIAS_COUNT } from '../yaml/source.ts';
import { isValidPackageName } from '../model/names.ts';
import { isValidVersion, parseConstraint } from '../model/versions.ts';

export interface ArtifactRef {
  name: string;
  path: string;
  description: string;
}

/** The package manifest, `aam.yaml`, as the AAM CLI defines it. */
export interface Manifest {
  name: string;
  version: string;
  description: string;
  author?: string | undefined;
  license?: string | undefined;
  repository?: string | undefined;
  keywords: string[];
  dependencies: Record<string, string>;
  artifacts: Record<'agents' | 'skills' | 'prompts' | 'instructions', ArtifactRef[]>;
}

const ARTIFACT_KINDS = ['agents', 'skills', 'prompts', 'instructions'] as const;
const ARTIFACT_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Parses and validates `aam.yaml`; every problem is listed in one MANIFEST_INVALID error. */
export function parseManifest(text: string, where = 'aam.yaml'): Manifest {
  const raw = manifestValue(text, where);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(where, ['must be a mapping']);
  const m = raw as Record<string, unknown>;
  const problems: string[] = [];
  const text_ = (key: string, required: boolean): string | undefined => {
    const value = m[key];
    if (value === undefined || value === null) {
      if (required) problems.push(`is missing "${key}"`);
      return undefined;
    }
    if (typeof value !== 'string') {
      problems.push(`"${key}" must be text`);
      return undefined;
    }
    return value;
  };
  const name = text_('name', true);
  if (name !== undefined && !isValidPackageName(name))
    problems.push(
      `"name" ${JSON.stringify(name)} must be "name" or "@scope/name" in lowercase letters, digits and hyphens`,
    );
  const version = typeof m.version === 'number' ? String(m.version) : text_('version', true);
  if (version !== undefined && !isValidVersion(version))
    problems.push(
      `"version" ${JSON.stringify(version)} must be MAJOR.MINOR.PATCH, each number at most ${Number.MAX_SAFE_INTEGER}`,
    );
  const description = text_('description', true);
  if (description !== undefined && (description.trim() === '' || description.length > 256))
    problems.push('"description" must be 1 to 256 characters');
  const keywords = Array.isArray(m.keywords) ? m.keywords.filter((k): k is string => typeof k === 'string') : [];
  const dependencies = readDependencies(m.dependencies, problems);
  const artifacts = readArtifacts(m.artifacts, problems);
  if (problems.length > 0) throw invalid(where, problems);
  return {
    name: name!,
    version: version!,
    description: description!,
    author: text_('author', false),
    license: text_('license', false),
    repository: text_('repository', false),
    keywords,
    dependencies,
    artifacts,
  };
}

/**
 * Why an archive's manifest is not the package it is installed as, or
 * undefined when its `name` and `version` are exactly those. A signature
 * covers the archive, so this is what binds the signer to a name and version:
 * without it, a signed 1.0.0 copied into the 1.0.1 slot (or one package's
 * archive served as another) would verify.
 */
export function manifestMismatch(manifestText: string, name: string, version: string): string | undefined {
  let raw: unknown;
  try {
    raw = manifestValue(manifestText, 'aam.yaml');
  } catch {
    raw = undefined;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return 'its aam.yaml cannot be read';
  const m = raw as Record<string, unknown>;
  const found = {
    name: typeof m.name === 'string' ? m.name : undefined,
    version: typeof m.version === 'string' || typeof m.version === 'number' ? String(m.version) : undefined,
  };
  if (found.name === name && found.version === version) return undefined;
  return `its aam.yaml says ${found.name ?? '(no name)'}@${found.version ?? '(no version)'}`;
}

/**
 * The manifest's YAML as a value. A plain manifest (block mappings and lists,
 * one-line scalars) goes through the fast reader, which reads it as the full
 * parser does or leaves it to it (test/core/yaml/simple-yaml.test.ts): every
 * verification reads the package's manifests, and the parser's own start is
 * most of a cold one-package run.
 */
function manifestValue(text: string, where: string): unknown {
  // A verification reads one manifest up to three times (the archive's name and version, its deployed
  // copies, the installed copy's claims): the same text is one value. Callers only read it.
  if (lastValue?.text === text) return lastValue.value;
  const value = parsedValue(text, where);
  lastValue = { text, value };
  return value;
}

let lastValue: { text: string; value: unknown } | undefined;

/** The largest aam.yaml read (in characters): a thousand artifacts with their descriptions fit in it. */
export const MAX_MANIFEST_CHARS = 128 * 1024;

function parsedValue(text: string, where: string): unknown {
  // The full parser takes about 3 s a megabyte of short keys: a publish's manifest must not hold a server's thread.
  if (text.length > MAX_MANIFEST_CHARS)
    throw invalid(where, [
      `is ${Math.ceil(text.length / 1024)} KB; a manifest is at most ${MAX_MANIFEST_CHARS / 1024} KB`,
    ]);
  const simple = parseSimpleYaml(text);
  if (simple) return simple.value;
  const source = new YamlSource(text);
  if (source.doc.errors.length > 0) {
    throw invalid(where, [`is not valid YAML: ${source.doc.errors[0]!.message.split('\n')[0]}`]);
  }
  try {
    return source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw invalid(where, [`cannot be read: ${(error as Error).message}`]);
  }
}

function readDependencies(value: unknown, problems: string[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push('"dependencies" must map package names to version constraints');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [dep, constraint] of Object.entries(value)) {
    if (!isValidPackageName(dep)) problems.push(`dependency ${JSON.stringify(dep)} is not a valid package name`);
    try {
      parseConstraint(String(constraint));
      out[dep] = String(constraint);
    } catch {
      problems.push(`dependency ${dep} has an invalid version constraint ${JSON.stringify(constraint)}`);
    }
  }
  return out;
}

function readArtifacts(value: unknown, problems: string[]): Manifest['artifacts'] {
  const out: Manifest['artifacts'] = { agents: [], skills: [], prompts: [], instructions: [] };
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problems.push('is missing "artifacts" (agents, skills, prompts or instructions)');
    return out;
  }
  const section = value as Record<string, unknown>;
  for (const kind of ARTIFACT_KINDS) {
    const list = section[kind];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      problems.push(`"artifacts.${kind}" must be a list`);
      continue;
    }
    list.forEach((item, i) => {
      const ref = item as Partial<ArtifactRef> | null;
      const where = `artifacts.${kind}[${i}]`;
      if (!ref || typeof ref !== 'object')
        return void problems.push(`${where} must be a mapping with name, path and description`);
      if (typeof ref.name !== 'string' || !ARTIFACT_NAME.test(ref.name))
        problems.push(`${where}.name must be lowercase letters, digits and hyphens`);
      if (typeof ref.path !== 'string' || ref.path.startsWith('/') || ref.path.split('/').includes('..'))
        problems.push(`${where}.path must be a relative path inside the package`);
      if (ref.description === undefined || ref.description === null) problems.push(`${where}.description is required`);
      else if (typeof ref.description !== 'string' || ref.description.length > 256)
        problems.push(`${where}.description must be text of at most 256 characters`);
      out[kind].push({ name: String(ref.name), path: String(ref.path), description: String(ref.description ?? '') });
    });
  }
  if (ARTIFACT_KINDS.every((kind) => out[kind].length === 0))
    problems.push('declares no artifacts; at least one agent, skill, prompt or instruction is required');
  return out;
}

function invalid(where: string, problems: string[]): AamError {
  return new AamError(
    'MANIFEST_INVALID',
    `${where} ${problems.length === 1 ? problems[0] : `has problems:\n- ${problems.join('\n- ')}`}`,
    {
      hint: 'Fix aam.yaml and try again.',
    },
  );
}
