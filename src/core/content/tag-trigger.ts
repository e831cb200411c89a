/**
 * Whether a text could hold a start tag with an attribute that hides or colours (the Markdown scan's fast path:
 * markdown.ts). A tag is read as HTML's tokenizer reads one (§13.2.5: a quote opens a value only after `=`, a `<`
 * or a quote elsewhere is part of a name), from every `<` and a letter, since Markdown may start a tag inside
 * what the tokenizer would take as an earlier tag. Each start is one reading of the same small automaton, and the
 * readings are followed together, one character at a time: the time is linear in the text, where a pattern tried
 * from each start was quadratic (diff23-review T1) or, made linear, missed tags a stray quote or `=` hides
 * (diff24-review Q1).
 */

/** The attributes that may hide an element's text or colour it (markdown.ts, presentational.ts). */
const HIDING = new Set(['hidden', 'aria-hidden', 'style', 'color', 'bgcolor', 'text', 'popover']);
/** The longest of them: a longer name is none of them. */
const LONGEST = 11;

/** Where a reading of a tag is: the tokenizer's states (§13.2.5.8–13.2.5.39) that a start tag passes through. */
const At = {
  Open: 0,
  TagName: 1,
  BeforeName: 2,
  Name: 3,
  AfterName: 4,
  BeforeValue: 5,
  DoubleQuoted: 6,
  SingleQuoted: 7,
  Unquoted: 8,
  AfterQuoted: 9,
} as const;
type At = (typeof At)[keyof typeof At];

const SPACE = /[\t\n\f\r ]/;
const LETTER = /[a-z]/i;

/** A reading: where it is, and in a name where that name began (-1 elsewhere). */
type Reading = { at: At; name: number };

/**
 * Whether some start tag in `text`, read from any `<` and a letter, has one of the HIDING attributes; in a block
 * quote also read without the `>` markers its lines start with, which the preview's HTML does not hold
 * (diff25-review B1: `> <div` + `> style=…>` on the next line).
 */
export function hidingAttribute(text: string): boolean {
  return tagHides(text) || (QUOTED_LINE.test(text) && tagHides(unquoted(text)));
}

/** A line in a block quote. */
const QUOTED_LINE = /^[ \t]*>/m;

/** The text with the block-quote markers at its lines' starts blanked, each offset kept (markdown.ts reads it so). */
export function unquoted(text: string): string {
  return text.replace(/(^|\n)([ \t>]+)/g, (_, start: string, markers: string) => start + markers.replace(/>/g, ' '));
}

function tagHides(text: string): boolean {
  // The readings under way, each once: two in the same place are one (a name that began too far back is too long).
  let readings = new Map<number, Reading>();
  for (let i = 0; i < text.length; i++) {
    if (readings.size === 0) {
      // Nothing is being read: on to the next `<`.
      i = text.indexOf('<', i);
      if (i < 0) return false;
    }
    const c = text[i]!;
    const space = SPACE.test(c);
    const next = new Map<number, Reading>();
    const go = (at: At, name = -1) => next.set(at + 16 * (name + 1), { at, name });
    for (const { at, name } of readings.values()) {
      if (at === At.Name && (space || c === '/' || c === '>' || c === '='))
        if (i - name <= LONGEST && HIDING.has(text.slice(name, i).toLowerCase())) return true;
      if (c === '>' && at !== At.DoubleQuoted && at !== At.SingleQuoted) continue; // the tag ends
      switch (at) {
        case At.Open:
          go(At.TagName);
          break;
        case At.TagName:
          go(space || c === '/' ? At.BeforeName : At.TagName);
          break;
        case At.BeforeName:
        case At.AfterQuoted:
          if (space || c === '/') go(At.BeforeName);
          else go(At.Name, i); // a leading `=`, a quote or a `<` is part of the name
          break;
        case At.Name:
          if (space) go(At.AfterName);
          else if (c === '/') go(At.BeforeName);
          else if (c === '=') go(At.BeforeValue);
          else go(At.Name, i - name > LONGEST ? i - LONGEST - 1 : name);
          break;
        case At.AfterName:
          if (space) go(At.AfterName);
          else if (c === '/') go(At.BeforeName);
          else if (c === '=') go(At.BeforeValue);
          else go(At.Name, i);
          break;
        case At.BeforeValue:
          if (space) go(At.BeforeValue);
          else if (c === '"') go(At.DoubleQuoted);
          else if (c === "'") go(At.SingleQuoted);
          else go(At.Unquoted);
          break;
        case At.DoubleQuoted:
          go(c === '"' ? At.AfterQuoted : At.DoubleQuoted);
          break;
        case At.SingleQuoted:
          go(c === "'" ? At.AfterQuoted : At.SingleQuoted);
          break;
        case At.Unquoted:
          go(space ? At.BeforeName : At.Unquoted);
          break;
      }
    }
    // A `<` before a letter starts one more reading: the letter begins the tag's name.
    if (c === '<' && LETTER.test(text[i + 1] ?? '')) go(At.Open);
    readings = next;
  }
  // A name the text ends in: the tokenizer drops a tag cut off, html.ts keeps it; either way, it is read.
  for (const { at, name } of readings.values())
    if (at === At.Name && text.length - name <= LONGEST && HIDING.has(text.slice(name).toLowerCase())) return true;
  return false;
}
