/**
 * What an element's style takes from the elements around it: custom properties and the inherited properties
 * that decide whether its letters show (diff17-review X: `<div style="--c: transparent"><p style="color:
 * var(--c)">` hid the text, each tag's style judged alone). The open elements are followed across a
 * document's HTML in order, each with the declarations it passes down, outermost first, so a tag's style is
 * judged after them, as a browser cascades it.
 */
import { declarationsOf } from './colours.ts';

/** CSS escapes in a declaration, decoded (`\63 olor` is `color`). */
export function unescaped(declaration: string): string {
  return declaration.replace(
    /\\([0-9a-fA-F]{1,6})[\t\n\f\r ]?|\\([^\n0-9a-fA-F])/g,
    (_, hex?: string, char?: string) =>
      hex === undefined ? char! : String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff) || 0xfffd),
  );
}

/** Properties an element takes from its parent that decide how its letters are painted. */
const INHERITED =
  /^(?:--.*|color|-webkit-text-fill-color|text-shadow|-webkit-text-stroke(?:-width|-color)?|font|font-size|visibility|color-scheme)$/i;

/** How much of its ancestors' declarations a style is read with; past it, not worked out (hidden). */
const MAX_INHERITED = 16_384;
/**
 * How much of ancestors' declarations a document's styles are read with in all: each styled tag under a style
 * that passes something down reads it again (a 16 KB custom property above 100,000 styled tags).
 */
const MAX_READ_AGAIN = 1 << 20;
/** How far down the open elements an end tag looks for its start. */
const MAX_CLOSE_SEARCH = 64;

/**
 * A style's declarations that its children inherit, each ending in `;`: decoded, with a backslash written as an
 * escape again (so it is read once), and without `!important`, which does not pass down (a parent's
 * `color: red !important` does not beat its child's `color: transparent`).
 */
function passedDown(style: string): string {
  const declarations = declarationsOf(style).map(unescaped);
  // A background clipped to the text paints its children's letters too (a gradient heading with a <span> in
  // it): their fill colour is then not what shows them. The element's own text is judged with its style.
  const clipped = declarations.some((d) => /^\s*(?:-webkit-)?background(?:-clip)?\s*:[^;]*\btext\b/i.test(d));
  let out = '';
  for (const read of declarations) {
    const colon = read.indexOf(':');
    const property = read.slice(0, colon).trim();
    if (colon >= 0 && INHERITED.test(property) && !(clipped && /^(?:color|-webkit-text-fill-color)$/i.test(property)))
      out += `${read.replace(/!\s*important\s*$/i, '').replace(/\\/g, '\\5c ')};`;
  }
  return out;
}

/** The elements open at a point of a document, each with what it and those around it pass down. */
export class OpenElements {
  private readonly open: { name: string; inherited: string | undefined }[] = [];

  private readAgain = 0;

  /** What the innermost open element's children inherit; undefined past MAX_INHERITED. */
  private inherited(): string | undefined {
    return this.open.length === 0 ? '' : this.open.at(-1)!.inherited;
  }

  /**
   * A style of an element opening here, after what it inherits, to be read as one; undefined when that is more
   * than is read (past MAX_INHERITED, or MAX_READ_AGAIN for the document): not worked out, so hidden.
   */
  styleHere(style: string): string | undefined {
    const inherited = this.inherited();
    if (inherited === undefined || (this.readAgain += inherited.length) > MAX_READ_AGAIN) return undefined;
    return inherited + style;
  }

  /** An element opens with a style (void elements hold nothing, and are not followed). */
  start(name: string, style: string | undefined): void {
    const around = this.inherited();
    const own = style ? passedDown(style) : '';
    const inherited = around === undefined || around.length + own.length > MAX_INHERITED ? undefined : around + own;
    this.open.push({ name, inherited });
  }

  /** An end tag closes the innermost open element of its name, and those opened inside it. */
  end(name: string): void {
    for (let i = this.open.length - 1; i >= Math.max(0, this.open.length - MAX_CLOSE_SEARCH); i--)
      if (this.open[i]!.name === name) {
        this.open.length = i;
        return;
      }
  }
}
