/**
 * The open elements of a document as the preview has it (inherited.ts): Markdown's blocks in the preview's own
 * elements, and where the text it holds is not drawn.
 */
import * as tree from './html-tree.ts';
import { OpenElements } from './inherited.ts';

export class DocumentElements extends OpenElements {
  /**
   * Whether text here is not drawn: in an element that hides it, in SVG outside a `<text>`, in MathML outside a
   * token, or right in a `<select>` or its option group, outside its options (diff39-review E4-E6).
   */
  get hidden(): boolean {
    const top = this.open.at(-1);
    if (this.hiding > 0) return true;
    if (!tree.inForeign(top)) return !top?.foreign && (top?.name === 'select' || top?.name === 'optgroup');
    // MathML draws text in its token elements (mi, mo, mn, ms, mtext: points that hold HTML), not in <mrow>… (E5).
    return top!.foreign === 'svg' ? !top!.svgText : true;
  }

  /** The namespace of an element that starts here with this name (tree.spaceOf). */
  spaceOf(name: string, attributes: ReadonlyMap<string, string>): 'svg' | 'math' | undefined {
    return tree.spaceOf(this.open, name, attributes);
  }

  /**
   * Where the document is read: an element taken off the stack now holds what is before `at`, and ends at `through`
   * (after its end tag).
   */
  at = 0;
  through = 0;

  /** The element just opened, `name`, is reported: `closed` is told where the browser closes it. */
  closes(name: string, closed: (at: number, through: number) => void): void {
    const top = this.open.at(-1);
    if (top?.name === name) top.closed = closed;
  }

  /** The current node: the innermost open element. */
  get top(): { readonly name: string } | undefined {
    return this.open.at(-1);
  }

  /** The document ends at `at`: what is open closes there. */
  finish(at: number): void {
    this.at = this.through = at;
    this.cut(0);
  }

  protected override cut(length: number): void {
    for (const element of this.open.slice(length)) element.closed?.(this.at, Math.max(this.at, this.through));
    super.cut(length);
  }

  /** The element just opened, `name`, hides what it holds (markdown.ts asks hiddenBy after `start`). */
  hides(name: string): void {
    const top = this.open.at(-1);
    if (top?.name !== name || top.hides) return;
    top.hides = true;
    this.hiding++;
  }

  /**
   * A paragraph starts (for `paragraphEnd`: where its elements start), in the preview's own element `tag`: a `<p>`,
   * which a block its inline HTML starts ends, closing what that HTML opened before the block (diff35-review F4).
   */
  paragraph(tag: string | undefined): number {
    if (tag) this.text(); // the line break before the element opens what waits again, around it (diff37-review F5)
    if (tag) this.start(tag, undefined, false, false);
    return this.open.length - (tag === 'p' ? 1 : 0);
  }

  /**
   * A paragraph ends: the inline elements its HTML left open close, but not blocks opened in it (a `<div>`
   * ends the paragraph instead), nor formatting elements, which a browser opens again in what follows (R2).
   * `own`: its `<p>` is at `depth` (`paragraph`); the `</p>` closes the innermost `<p>` in button scope, and all in it.
   */
  paragraphEnd(depth: number, own = false): void {
    const p = own ? (this.open.at(-1)?.p ?? -1) : -1;
    const closing = p >= depth;
    if (this.open.length <= depth) return;
    const opened = this.open.slice(closing ? p + 1 : depth);
    // A block opened in it ended the paragraph: what is opened after it stays open, and so does all in a button.
    const block = closing ? -1 : opened.findIndex(({ name }) => tree.SPECIAL.has(name));
    if (!closing && opened.some(({ name }) => name === 'button')) return;
    const formatting = opened
      .slice(0, block < 0 ? opened.length : block)
      .filter(({ name }) => tree.FORMATTING.has(name));
    this.cut(closing ? p : depth);
    // The formatting elements open again where they now are; the block and what is in it as they were.
    for (const element of formatting) this.push(element);
    for (const element of block < 0 ? [] : opened.slice(block)) this.place(element);
  }
}
