/**
 * `table[key]` when the table itself has the key. A name that a document, a registry or a user gives (a tag, a
 * unit, an event, a command) must never find `Object.prototype`'s `constructor` or `toString` (diff36-review P9:
 * `<constructor>` made the content scan throw).
 */
export const own = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;
