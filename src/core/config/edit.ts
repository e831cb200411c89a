import { chmod, realpath, stat } from 'node:fs/promises';
import { readRegularFile } from '../fs/safe-read.ts';
import { isAlias, isMap, isNode, isScalar, isSeq, visit } from 'yaml';
import type { Document, Node } from 'yaml';
import { AamError, messageOf } from '../errors.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { MAX_ALIAS_COUNT, YamlSource } from '../yaml/source.ts';
import { escapeYaml11Breaks, quoteYaml11Ambiguous, quoteYaml11Breaks } from '../yaml/yaml11.ts';

import type { ConfigEdit, ListItem } from './config-edit.ts';

export type { ConfigEdit };

/**
 * Applies edits to a YAML text through the `yaml` Document API, so comments,
 * key order, quoting and unrelated keys survive. Refuses broken YAML rather
 * than rewriting what it cannot read. The AAM CLI reads the result as YAML
 * 1.1 (yaml11.ts): a value written here is quoted as it needs for that, and
 * any string that holds a 1.1 line break is written double-quoted, escaped.
 */
export function applyConfigEdits(text: string, edits: readonly ConfigEdit[]): string {
  const source = new YamlSource(text);
  if (source.doc.errors.length > 0) {
    throw new AamError(
      'CONFIG_INVALID',
      `Cannot edit: the file has YAML errors (${source.doc.errors[0]!.message.split('\n')[0]}).`,
      {
        hint: 'Fix the YAML syntax first; the edit is not applied so nothing is lost.',
      },
    );
  }
  const doc = source.doc as unknown as Document;
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new AamError('CONFIG_INVALID', 'Cannot edit: the file is not a mapping of keys to values.');
  }
  if (edits.length > 0) expandAliases(doc);
  for (const edit of edits) applyEdit(doc, edit);
  quoteYaml11Breaks(doc);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let out = escapeYaml11Breaks(doc.toString({ lineWidth: 0, flowCollectionPadding: false }));
  if (out.trim() === '{}' || out.trim() === 'null') out = '';
  if (eol === '\r\n') out = out.replace(/\r?\n/g, '\r\n');
  return out;
}

function applyEdit(doc: Document, edit: ConfigEdit): void {
  if (edit.op !== 'delete' && edit.op !== 'remove-from-list') blockEmptyFlowParents(doc, edit.path);
  switch (edit.op) {
    case 'set': {
      // Updating a scalar in place keeps the comment attached to it.
      const existing = doc.getIn(edit.path, true);
      const primitive = edit.value === null || ['string', 'number', 'boolean'].includes(typeof edit.value);
      if (isScalar(existing) && primitive && typeof existing.value === typeof edit.value) {
        existing.value = edit.value;
        quoteYaml11Ambiguous(existing);
      } else doc.setIn(edit.path, newNode(doc, edit.value));
      return;
    }
    case 'delete':
      doc.deleteIn(edit.path);
      pruneEmptyParents(doc, edit.path);
      return;
    case 'add-to-list': {
      const list = doc.getIn(edit.path, true) as Node | undefined;
      if (list === undefined || (isScalar(list) && list.value === null)) {
        doc.setIn(edit.path, newNode(doc, [edit.value]));
      } else if (isSeq(list)) {
        if (!list.items.some((item) => sameItem(item, edit.value))) list.add(newNode(doc, edit.value));
      } else {
        throw new AamError('CONFIG_INVALID', `Cannot add to ${edit.path.join('.')}: it is not a list.`);
      }
      return;
    }
    case 'remove-from-list': {
      const list = doc.getIn(edit.path, true) as Node | undefined;
      if (!isSeq(list)) return;
      const index = list.items.findIndex((item) => sameItem(item, edit.value));
      if (index >= 0) list.delete(index);
      return;
    }
  }
}

/**
 * Each alias replaced by a copy of the node it names, and the anchors dropped:
 * an edit changes the key it names and no other. Updated in place, an anchored
 * `require_signature: &t false` would turn on every `*t` with it (a pull
 * request could alias `trust_registry_attestations` to it), and a list
 * aliased elsewhere would grow there too. What the file means is unchanged.
 */
function expandAliases(doc: Document): void {
  let aliased = false;
  visit(doc, {
    Alias() {
      aliased = true;
      return visit.BREAK;
    },
  });
  if (!aliased) return;
  // Copies of copies grow as the aliases nest: a file whose aliases expand past what the reader allows
  // (the alias-count guard every YAML read here has, against an "alias bomb") is refused, not written out.
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new AamError('CONFIG_INVALID', `Cannot edit: ${messageOf(error).split('\n')[0]}.`, {
      hint: 'The file uses YAML aliases that expand to far more than it holds; write the values out instead of aliasing them.',
    });
  }
  visit(doc, {
    Alias(_, alias) {
      const copy = alias.resolve(doc)?.clone() as Node | undefined;
      if (copy) copy.comment = copy.commentBefore = undefined;
      return copy;
    },
  });
  visit(doc, {
    Node(_, node) {
      if (isNode(node) && !isAlias(node)) delete node.anchor;
    },
  });
}

/** A node for `value`, its strings quoted where YAML 1.1 would read them as something else. */
function newNode(doc: Document, value: unknown): Node {
  const node = doc.createNode(value);
  quoteYaml11Ambiguous(node);
  return node;
}

/** Whether a list item is `value`: a scalar equal to it, or a mapping with the same keys and values. */
function sameItem(item: unknown, value: ListItem): boolean {
  if (isScalar(item)) return item.value === value;
  return isMap(item) && typeof value === 'object' && JSON.stringify(item.toJSON()) === JSON.stringify(value);
}

/** An empty `{}` or `[]` that is about to gain content becomes a block collection, as a person would write it. */
function blockEmptyFlowParents(doc: Document, path: string[]): void {
  for (let n = 0; n <= path.length; n++) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if ((isMap(node) || isSeq(node)) && node.flow && node.items.length === 0) node.flow = false;
  }
}

function pruneEmptyParents(doc: Document, path: string[]): void {
  for (let n = path.length - 1; n > 0; n--) {
    const parent = doc.getIn(path.slice(0, n), true);
    if (isMap(parent) && parent.items.length === 0) doc.deleteIn(path.slice(0, n));
    else return;
  }
}

/**
 * Reads `path` (or starts empty), applies the edits and writes the result
 * atomically — to the file a link points to, so a config kept in a dotfiles
 * folder stays linked — with the mode the file had, as an editor keeps it: a
 * user who keeps the config 0600 (it can name gpg_home, private registry
 * URLs) keeps it so. A new file is 0644 under the umask, as the AAM CLI makes
 * its config: a config holds no secret (tokens live in credentials.yaml,
 * 0600), and a project config is shared.
 */
export async function editConfigFile(path: string, edits: readonly ConfigEdit[]): Promise<string> {
  const target = await realpath(path).catch(() => path);
  const bytes = await readRegularFile(target, 'config');
  const next = applyConfigEdits(bytes?.toString('utf8') ?? '', edits);
  const mode = bytes === undefined ? undefined : (await stat(target)).mode & 0o777;
  await writeFileAtomic(target, next, mode);
  // The new file was made under the umask, which may have taken bits the old one had.
  if (mode !== undefined) await chmod(target, mode);
  return next;
}

/**
 * The edit that adds `value` to the list at `path` of a config file whose
 * parsed content is `fileValue`. When that file does not set the list yet, it
 * would replace the list in effect (lists replace on merge), so the new list
 * starts from the `effective` entries.
 */
export function addToListEdit(
  fileValue: Record<string, unknown> | undefined,
  effective: readonly ListItem[],
  path: string[],
  value: ListItem,
): ConfigEdit {
  let node: unknown = fileValue;
  for (const key of path)
    node =
      node && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  if (node === undefined && effective.length > 0)
    return { op: 'set', path, value: [...effective.filter((v) => JSON.stringify(v) !== JSON.stringify(value)), value] };
  return { op: 'add-to-list', path, value };
}
