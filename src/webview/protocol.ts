import type { ConfigEdit, ListItem } from '../core/config/config-edit.ts';
import type { LevelName } from '../core/config/levels.ts';

/** Lists the form edits (with add/remove). */
export type ListKey = 'trusted_identities' | 'trusted_keys' | 'allowed_issuers' | 'trusted_registries';

/** What the form shows: this file's own `security:` values and what is in effect. */
export interface PolicyState {
  file: string;
  layer: 'global' | 'project';
  restricted: boolean;
  dirty: boolean;
  /** Set when the YAML cannot be read: the form is read-only until it is fixed. */
  yamlError: string | undefined;
  own: Record<string, unknown>;
  effective: Record<string, { value: unknown; source: string }>;
  findings: { path: (string | number)[]; severity: 'error' | 'warning' | 'information' | 'hint'; message: string }[];
  /** Every `security:` key the schema knows, with its description: the form shows each one, editable or as text. */
  keys: Record<string, string>;
  whatIf: { summary: string; changes: VerdictChangeText[] } | undefined;
  /** The trust level the document means now (or custom), and the four levels with the keys each sets. */
  level: {
    current: LevelName | 'custom';
    text: string;
    unmet: string[];
    levels: { name: LevelName; label: string; summary: string; useCase: string; keys: string[] }[];
  };
}

/** A package whose verdict a change would change, in words. */
export interface VerdictChangeText {
  name: string;
  before: string;
  after: string;
  action: string;
  message: string;
}

/** A level chosen in the form, before it is applied: the keys it sets and the what-if. */
export interface LevelPreview {
  level: LevelName;
  label: string;
  keys: { key: string; to: string; now: string | undefined; changes: boolean }[];
  summary: string;
  changes: VerdictChangeText[];
  warnings: string[];
}

export type HostMessage = { type: 'state'; state: PolicyState } | { type: 'levelPreview'; preview: LevelPreview };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'edit'; edit: ConfigEdit }
  | { type: 'add'; key: ListKey; value: ListItem }
  | { type: 'openText'; key?: string }
  | { type: 'previewLevel'; level: LevelName }
  | { type: 'applyLevel'; level: LevelName };
