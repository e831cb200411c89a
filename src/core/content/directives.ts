/**
 * HTML comments that tools write and that say nothing to a reader or a model:
 * AAM's own section markers and formatter and linter switches. Each is held to
 * its tool's own grammar — the directive, then only what that tool reads after
 * it (rule names, a spelling word list, a language) — so that a comment which
 * starts like one and goes on in prose is a comment like any other.
 */

/**
 * markdownlint's rule aliases and tags (doc/Rules.md, v0.38, with the aliases older versions used); a rule
 * is also named by its id, MD001–MD999. A custom rule's name is not known here: such a comment is reported.
 */
const MARKDOWNLINT_NAMES = new Set(
  `heading-increment header-increment first-heading-h1 first-header-h1 heading-style header-style ul-style
  list-indent ul-start-left ul-indent no-trailing-spaces no-hard-tabs no-reversed-links no-multiple-blanks
  line-length commands-show-output no-missing-space-atx no-multiple-space-atx no-missing-space-closed-atx
  no-multiple-space-closed-atx blanks-around-headings blanks-around-headers heading-start-left header-start-left
  no-duplicate-heading no-duplicate-header single-title single-h1 no-trailing-punctuation
  no-multiple-space-blockquote no-blanks-blockquote ol-prefix list-marker-space blanks-around-fences
  blanks-around-lists no-inline-html no-bare-urls hr-style no-emphasis-as-heading no-emphasis-as-header
  no-space-in-emphasis no-space-in-code no-space-in-links fenced-code-language first-line-heading first-line-h1
  no-empty-links required-headings required-headers proper-names no-alt-text code-block-style
  single-trailing-newline code-fence-style emphasis-style strong-style link-fragments reference-links-images
  link-image-reference-definitions link-image-style table-pipe-style table-column-count blanks-around-tables
  descriptive-link-text table-column-style
  accessibility atx atx_closed blank_lines blockquote bullet code emphasis hard_tab headers headings hr html
  images indentation language line_length links ol spaces spelling table ul url whitespace`.split(/\s+/),
);
const MARKDOWNLINT_RULE = (name: string) => /^md\d{3}$/i.test(name) || MARKDOWNLINT_NAMES.has(name.toLowerCase());

/**
 * Words in every English dictionary: a spelling checker never needs to be told them, so a word list holding
 * them is prose, not a list of the document's unusual words.
 */
const COMMON = new Set(
  `a about above after again against all am an and any are as at be because been before being below between
  both but by can could did do does doing done down during each few for from further had has have having he her
  here hers him his how i if in into is it its just me more most must my no nor not now of off on once only or
  other our ours out over own please same she should so some such than that the their theirs them then there
  these they this those through to too under until up very was we were what when where which while who whom
  why will with would you your yours`.split(/\s+/),
);

const SWITCH = /^(?:disable|enable|disable-line|disable-next-line|disable-next|(?:enable|disable)-?compound-?words)$/i;
const WORD_LIST = /^(?:words?|ignore(?:-?words)?|flag-?words|forbid-?words|dictionar(?:y|ies))$/i;
const LOCALE = /^[a-z]{2,3}(?:[-_][a-z]{2,4})?(?:\s*,\s*[a-z]{2,3}(?:[-_][a-z]{2,4})?)*$/i;

/** Whether a comment's text (between `<!--` and `-->`) is a tool's directive and nothing else. */
export function toolDirective(body: string): boolean {
  const text = body.trim();
  if (/^(?:BEGIN|END) AAM: [a-z0-9][a-z0-9-]{0,63} (?:agent|instruction)$/.test(text)) return true;
  if (/^(?:prettier-ignore(?:-start|-end)?|toc|\/toc|tocstop|vale (?:off|on))$/i.test(text)) return true;
  if (/^vale [A-Za-z0-9_-]{1,64}(?:\.[A-Za-z0-9_-]{1,64})? = (?:NO|YES)$/.test(text)) return true;
  const lint =
    /^markdownlint-(?:disable|enable|disable-line|disable-next-line|disable-file|enable-file|capture|restore)(?:\s+([^]*))?$/i.exec(
      text,
    );
  if (lint) return (lint[1] ?? '').split(/[\s,]+/).every((name) => name === '' || MARKDOWNLINT_RULE(name));
  const configure = /^markdownlint-configure-file\s+(\{[^]*\})$/i.exec(text);
  if (configure) return lintConfiguration(configure[1]!);
  const spell = /^(?:cspell|spell-?checker):\s*([A-Za-z-]+)(?:[ \t]+(.*))?$/i.exec(text);
  if (spell) return spelling(spell[1]!, (spell[2] ?? '').trim());
  return false;
}

/** A cspell directive's argument as cspell reads it, on the directive's line. */
function spelling(directive: string, argument: string): boolean {
  if (SWITCH.test(directive)) return argument === '';
  if (/^(?:locale|language)$/i.test(directive)) return LOCALE.test(argument);
  if (/^(?:ignore|include)-?reg-?exp$/i.test(directive)) return /^\S{1,100}$/.test(argument);
  if (!WORD_LIST.test(directive)) return false;
  const words = argument.split(/[\s,]+/).filter(Boolean);
  // A few words a checker would flag, not a sentence of uncommon ones: ten of them made an instruction a model
  // follows and a preview hides (hidden-review 2).
  return (
    words.length <= MAX_SPELLING_WORDS &&
    words.every((word) => /^[\p{L}\p{M}\p{N}_'\u2019-]{1,40}$/u.test(word) && !COMMON.has(word.toLowerCase()))
  );
}

/** Words in one cspell word list that is still a directive; a longer list is reported like any comment. */
export const MAX_SPELLING_WORDS = 6;

/**
 * `markdownlint-configure-file { … }`: JSON whose keys are rule names (or `default`, `extends`) and, inside a
 * rule, its options, and whose values are switches, numbers and single-word settings ("atx", "consistent", an
 * element name); `extends` a relative path. A sentence in a value is not a setting, nor is a URL or any other
 * key at the top: such a comment is reported (required-headings and proper-names lists included). Keys of any
 * name and values with URLs carried an instruction a preview hides (hidden-review 2).
 */
function lintConfiguration(json: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return false;
  }
  const plain = (v: unknown, depth: number): boolean => {
    if (v === null || typeof v === 'boolean' || typeof v === 'number') return true;
    if (typeof v === 'string') return /^[\w#*.@+-]{0,40}$/.test(v);
    if (depth > 3) return false;
    if (Array.isArray(v)) return v.length <= 64 && v.every((item) => plain(item, depth + 1));
    if (typeof v !== 'object') return false;
    return Object.entries(v).every(([key, item]) => /^[a-z][a-z_]{0,40}$/.test(key) && plain(item, depth + 1));
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(([key, item]) => {
    if (key === 'extends')
      return typeof item === 'string' && /^[\w.-]+(?:\/[\w.-]+)*$/.test(item) && item.length <= 100;
    return (MARKDOWNLINT_RULE(key) || key === 'default') && plain(item, 1);
  });
}
