import type { ConfigEdit, ListItem } from '../core/config/config-edit.ts';

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
  whatIf:
    | { summary: string; changes: { name: string; before: string; after: string; action: string; message: string }[] }
    | undefined;
}

export type HostMessage = { type: 'state'; state: PolicyState };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'edit'; edit: ConfigEdit }
  | { type: 'add'; key: ListKey; value: ListItem }
  | { type: 'openText'; key?: string };
