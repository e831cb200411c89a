import type { HiddenItem, HiddenKind } from './scan.ts';

/** The words for each kind of hidden content, defined once: diagnostics, hovers, the CLI, SARIF and the view say these. */
export const HIDDEN_LABEL: Record<HiddenKind, string> = {
  TAG_CHARACTERS: 'invisible Unicode tag characters',
  BIDI_CONTROL: 'a bidirectional control',
  INVISIBLE_CHARACTER: 'an invisible character',
  VARIATION_SELECTORS: 'a run of variation selectors',
  MIXED_SCRIPT: 'letters of several scripts in one word',
  HTML_COMMENT: 'an HTML comment',
  HIDDEN_REFERENCE: 'a link reference definition nothing refers to',
  HIDDEN_HTML: 'an HTML element hidden from view',
  DROPPED_MARKDOWN:
    'Markdown a renderer drops (a table cell past its header, a footnote nothing refers to, a comment in front matter)',
  OFFSCREEN_TEXT: 'text that runs off screen',
  NOT_UTF8: 'bytes that are not UTF-8 text',
};

/** Why each kind matters, in a sentence: what a reviewer sees and what the model reads. */
export const HIDDEN_WHY: Record<HiddenKind, string> = {
  TAG_CHARACTERS:
    'Tag characters (U+E0000–U+E007F) show as nothing in editors and diffs, but a model reads them as the ASCII text they encode ("ASCII smuggling").',
  BIDI_CONTROL:
    'Bidirectional controls make text display in another order than it is stored (Trojan Source, CVE-2021-42574): the reviewer reads one thing, the model another.',
  INVISIBLE_CHARACTER:
    'Zero-width and other invisible characters change what a model reads (a split keyword, a hidden separator) without any visible trace.',
  VARIATION_SELECTORS:
    'Variation selectors are invisible; more than one in a row carries arbitrary bytes, one per selector, that a model can be told to decode.',
  MIXED_SCRIPT:
    'A word spelled with look-alike letters of another script (Unicode TR39 mixed-script detection) reads the same to a person but is another word to a model or a search.',
  HTML_COMMENT:
    'A Markdown preview does not show HTML comments (nor `<!…>` and `<?…>`, which a browser reads as comments); an agent loads the source and reads them.',
  HIDDEN_REFERENCE:
    'A link reference definition is not shown by a Markdown preview unless a link uses it; "[//]: # (…)" is a common way to hide text.',
  HIDDEN_HTML:
    'An element with the hidden attribute or a hiding style, or one a browser never renders (script, style, template, a hidden input), is not shown by a Markdown preview; an agent reads its text.',
  DROPPED_MARKDOWN:
    "GitHub and VS Code drop a table row's cells past its header's columns, GitHub a footnote nothing refers to, and both the comments of front matter (VS Code hides it, GitHub shows its values); an agent reads them in the source.",
  OFFSCREEN_TEXT:
    'Text far to the right of a line (behind a run of blanks, or in a very long line) is off screen in editors and diff views with word wrap off.',
  NOT_UTF8:
    'A file agents read as text holds bytes that are not UTF-8 (or binary data): readers replace or guess them, diffs may show the file only as "binary", and a reviewer cannot see what the model reads.',
};

/**
 * The diagnostic message for one hidden item: what it is, and what it says when that can be told in a line;
 * for a value parsed from YAML, also the field and the deployed files that hold it.
 */
export function hiddenMessage(item: HiddenItem): string {
  const message = item.inName ? `In the file's name: ${kindMessage(item)}` : kindMessage(item);
  if (!item.deployed) return message;
  return `${message} Parsed from ${item.deployed.field}, it is written into ${item.deployed.into.join(', ')}.`;
}

function kindMessage(item: HiddenItem): string {
  const said = item.decoded ? `: "${clip(item.decoded, 80)}"` : '';
  switch (item.kind) {
    case 'TAG_CHARACTERS':
      return `Hidden text in invisible Unicode tag characters${said}.`;
    case 'BIDI_CONTROL':
      return `A bidirectional control (${item.characters.join(', ')}) changes the order this text is shown in${said}.`;
    case 'INVISIBLE_CHARACTER':
      return `An invisible character (${item.characters.join(', ')}) where "${item.context}" is shown; a model reads${said}.`;
    case 'VARIATION_SELECTORS':
      return `Invisible variation selectors carrying data${said}.`;
    case 'MIXED_SCRIPT':
      return `A word mixes scripts: ${item.decoded} (${item.characters.join(', ')}).`;
    case 'HTML_COMMENT':
      return `An HTML comment a Markdown preview does not show${said}.`;
    case 'HIDDEN_REFERENCE':
      return `A link reference definition nothing refers to, not shown by a Markdown preview${said}.`;
    case 'HIDDEN_HTML':
      return `An HTML element a Markdown preview hides${said}.`;
    case 'DROPPED_MARKDOWN':
      return `Markdown a renderer drops (a table cell past its header, a footnote nothing refers to, or a comment in front matter)${said}.`;
    case 'OFFSCREEN_TEXT':
      return `Text that runs off screen${said}.`;
    case 'NOT_UTF8':
      return item.decoded
        ? `Bytes that are not UTF-8 in a file agents read as text${said}.`
        : 'Binary data (NUL, control or non-UTF-8 bytes) in a file agents read as text: what a model reads there cannot be reviewed.';
  }
}

/** `path:line:col kind "what it says"`, 1-based, as the CLI prints each item and publish names where it refuses. */
export function hiddenLine(path: string, item: HiddenItem): string {
  return `${path}:${item.start.line + 1}:${item.start.character + 1}: ${hiddenMessage(item)}`;
}

/** The hover's Markdown: the message, the hidden text in full (as code, so nothing in it is rendered), and why it matters. */
export function hiddenHover(item: HiddenItem): string {
  const parts = [`**AAM Trust: ${HIDDEN_LABEL[item.kind]}**`];
  if (item.decoded) parts.push(`What a model reads here:\n\n${fence(clip(item.decoded, 2000))}`);
  if (item.characters.length > 0) parts.push(`Characters: ${item.characters.map((c) => `\`${c}\``).join(', ')}`);
  if (item.kind === 'INVISIBLE_CHARACTER') parts.push(`Where: \`${item.context.replace(/`/g, "'")}\``);
  parts.push(HIDDEN_WHY[item.kind]);
  return parts.join('\n\n');
}

function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** A fenced code block that its content cannot close. */
function fence(text: string): string {
  const ticks = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${ticks}text\n${text}\n${ticks}`;
}
