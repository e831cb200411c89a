import { readRegularFile } from '../fs/safe-read.ts';
import { homedir } from 'node:os';
import type { PolicyContext, SecurityPolicy } from '../policy/decision.ts';
import { tighten } from './tightening.ts';
import { tightenRegistries } from './tightening-registries.ts';
import type { PolicyFinding } from './tightening.ts';
import { AamError } from '../errors.ts';
import { formatDiagnostic } from './diagnostics.ts';
import type { ConfigDiagnostic } from './diagnostics.ts';
import { isPlainObject, mergeLayers } from './merge.ts';
import { globalConfigPath, projectConfigPath } from './paths.ts';
import type { ConfigLocation } from './paths.ts';
import type { ConfigLayer, MergedConfig } from './merge.ts';
import { registryEntries, securitySettings } from './settings.ts';
import type { RegistryEntry, SecuritySettings } from './settings.ts';
import { validateConfigText } from './validate.ts';

/** One config file as found on disk. */
export interface ConfigFileState {
  layer: 'global' | 'project';
  path: string;
  exists: boolean;
  diagnostics: ConfigDiagnostic[];
  value: Record<string, unknown> | undefined;
}

/** The global and project configs, merged into the settings that apply. */
export interface LoadedConfig {
  files: ConfigFileState[];
  merged: MergedConfig;
  security: SecuritySettings;
  registries: RegistryEntry[];
  /** The global config's own registries, whose revocations count even where a project's list leaves them out. */
  globalRegistries: RegistryEntry[];
  /** True when project settings were limited to those that tighten the global policy. */
  restricted: boolean;
  /** The workspace itself is not trusted (VS Code's Restricted Mode): its own registries are left out too. */
  untrustedWorkspace: boolean;
  /** Project settings that weaken the global policy (always), or were dropped (Restricted Mode). */
  findings: PolicyFinding[];
  policyContext(): PolicyContext;
}

export interface LoadOptions extends ConfigLocation {
  /** Restricted Mode: apply only the project settings that tighten the global policy. */
  restricted?: boolean;
  /** The workspace is not trusted (VS Code's Restricted Mode, not `--restricted` in CI): nor contact its registries. */
  untrustedWorkspace?: boolean;
}

export async function readConfigFile(layer: ConfigFileState['layer'], path: string): Promise<ConfigFileState> {
  // A project config comes with a repository: only a regular file is read, never a link (to a FIFO,
  // /dev/zero…). The global config is the user's own, and may be a link into a dotfiles folder.
  const bytes = await readRegularFile(path, 'config', { followLinks: layer === 'global' });
  if (!bytes) return { layer, path, exists: false, diagnostics: [], value: undefined };
  const validation = validateConfigText(bytes.toString('utf8'));
  return { layer, path, exists: true, diagnostics: validation.diagnostics, value: validation.value };
}

export async function loadConfig(options: LoadOptions): Promise<LoadedConfig> {
  const files = [await readConfigFile('global', globalConfigPath(options))];
  if (options.projectDir) files.push(await readConfigFile('project', projectConfigPath(options.projectDir)));
  return mergeConfigFiles(files, options.restricted ?? false, options.homeDir, options.untrustedWorkspace);
}

/**
 * Merges already-read files; the editor calls this with unsaved document texts.
 * `untrustedWorkspace` implies `restricted`.
 */
export function mergeConfigFiles(
  files: ConfigFileState[],
  restrictedMode: boolean,
  homeDir = homedir(),
  untrustedWorkspace = false,
): LoadedConfig {
  const restricted = restrictedMode || untrustedWorkspace;
  const global = files.find((f) => f.layer === 'global');
  const project = files.find((f) => f.layer === 'project');
  const globalLayer: ConfigLayer = { origin: { layer: 'global', file: global?.path }, value: global?.value ?? {} };
  const globalSecurity = securitySettings(mergeLayers([globalLayer]));
  const layers = [globalLayer];
  let findings: PolicyFinding[] = [];
  if (project?.value) {
    const projectValue = { ...project.value };
    if (isPlainObject(projectValue.security)) {
      const tightened = tighten(globalSecurity, projectValue.security, {
        globalFile: global?.path,
        projectFile: project.path,
        homeDir,
      });
      findings = tightened.findings;
      if (restricted) projectValue.security = tightened.security;
    }
    const registries = tightenRegistries(
      globalLayer.value,
      projectValue,
      globalSecurity.trusted_registries,
      untrustedWorkspace,
    );
    findings = [...findings, ...registries.findings];
    if (restricted) {
      // Undefined where the project has no list: a key set to undefined would take the global list away when merged.
      if (registries.registries) projectValue.registries = registries.registries;
      if (registries.untrusted.length > 0) {
        const security = isPlainObject(projectValue.security) ? projectValue.security : {};
        const trusted = Array.isArray(security.trusted_registries)
          ? security.trusted_registries
          : globalSecurity.trusted_registries;
        projectValue.security = {
          ...security,
          trusted_registries: trusted.filter((name) => !registries.untrusted.includes(name as string)),
        };
      }
    } else findings = findings.filter((f) => f.kind === 'weakens');
    layers.push({ origin: { layer: 'project', file: project.path }, value: projectValue });
  }
  const merged = mergeLayers(layers);
  const security = securitySettings(merged);
  return {
    files,
    merged,
    security,
    registries: registryEntries(merged),
    globalRegistries: registryEntries(globalLayer),
    restricted,
    untrustedWorkspace,
    findings,
    policyContext: () => ({
      policy: security,
      now: new Date().toISOString(),
      sourceOf: (key: keyof SecurityPolicy) => {
        const origin = merged.originOf(['security', key]);
        return origin.file ?? 'default';
      },
    }),
  };
}

/**
 * The policy as it would be with one config file's text replaced (an unsaved
 * edit, a level about to be applied); undefined when that text is not YAML.
 */
export function withFileText(
  config: LoadedConfig,
  path: string,
  text: string,
  homeDir?: string,
): LoadedConfig | undefined {
  const validation = validateConfigText(text);
  if (validation.value === undefined) return undefined;
  const files = config.files.map((file) =>
    file.path === path ? { ...file, exists: true, diagnostics: validation.diagnostics, value: validation.value } : file,
  );
  return mergeConfigFiles(files, config.restricted, homeDir, config.untrustedWorkspace);
}

/**
 * Errors that make the policy unreliable: broken YAML, invalid `security:` values, or a `registries:`
 * entry whose name, type, default or key id would be read as something its author did not write
 * (`default: yes` as not the default, where `aam` takes it as the default; a mistyped `key_id` as no
 * pin; `type: htpp` as local), or a YAML merge key (`<<`, which `aam` merges and this reader does not), or a `__proto__` key (which JavaScript would read as a prototype). A URL the schema does not know is not one: `aam registry add` writes
 * some (`registry.example.com`, `file://localhost/…`), and the registry is named with it as written.
 */
export function blockingDiagnostics(config: LoadedConfig): { file: string; diagnostic: ConfigDiagnostic }[] {
  return config.files.flatMap((file) =>
    file.diagnostics
      .filter(
        (d) =>
          d.severity === 'error' &&
          (file.value === undefined ||
            d.path[0] === 'security' ||
            d.code === 'MERGE_KEY' ||
            d.code === 'RESERVED_KEY' ||
            (d.path[0] === 'registries' && REGISTRY_MEANING.has(String(d.path[2])))),
      )
      .map((diagnostic) => ({ file: file.path, diagnostic })),
  );
}

/** The fields of a registries entry whose misreading changes which registry answers, or with which key. */
const REGISTRY_MEANING = new Set(['name', 'type', 'default', 'key_id']);

/** Throws CONFIG_INVALID when the policy cannot be trusted to say what its author meant. */
export function assertUsablePolicy(config: LoadedConfig): void {
  const blocking = blockingDiagnostics(config);
  if (blocking.length === 0) return;
  const lines = blocking.map(({ file, diagnostic }) => formatDiagnostic(file, diagnostic));
  throw new AamError('CONFIG_INVALID', `The security policy has errors:\n${lines.join('\n')}`, {
    hint: 'Fix these settings (aam-trust policy check shows them all); verification does not guess what a broken policy meant.',
  });
}
