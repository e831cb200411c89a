/** One change to a config document. Paths are key paths such as ['security', 'trusted_keys']. */
export type ConfigEdit =
  | { op: 'set'; path: string[]; value: unknown }
  | { op: 'delete'; path: string[] }
  | { op: 'add-to-list'; path: string[]; value: string | number | boolean }
  | { op: 'remove-from-list'; path: string[]; value: string | number | boolean };
