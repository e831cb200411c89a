/** One change to a config document. Paths are key paths such as ['security', 'trusted_keys']. */
export type ConfigEdit =
  | { op: 'set'; path: string[]; value: unknown }
  | { op: 'delete'; path: string[] }
  | { op: 'add-to-list'; path: string[]; value: ListItem }
  | { op: 'remove-from-list'; path: string[]; value: ListItem };

/** An item of a config list: a scalar, or a small mapping such as a pinned identity `{identity, issuer}`. */
export type ListItem = string | number | boolean | Record<string, string>;
