/**
 * What a closed `<select>` draws (diff39-review E4): one option, the last marked `selected` or else the first, by its
 * `label` if it has one, else by its text; never the text right in it. A select of several rows (`multiple`, a
 * `size` over 1) draws its options. Followed tag by tag: the first option is taken as shown until a later one is
 * selected, which hides it after all (`later`).
 */
import type { HtmlToken } from './html.ts';

export class SelectOptions {
  /** In a closed select: how many options it has had. */
  private options: number | undefined;
  /** Where the first option's text is, while it is taken as shown. */
  private first: { start: number; end: number | undefined } | undefined;

  /**
   * A tag of the document's HTML, its text following at `after`. Returns whether an option it starts hides its text,
   * and the first option's text when this tag shows it was not drawn after all.
   */
  tag(token: HtmlToken, at: number, after: number): { hides: boolean; later?: { start: number; end: number } } {
    if (token.type === 'comment') return { hides: false };
    if (token.name === 'select') {
      const rows = token.type === 'start' ? Number.parseInt(token.attributes.get('size') ?? '1', 10) : 1;
      const closed = token.type === 'start' && !token.attributes.has('multiple') && !(rows > 1);
      this.options = closed ? 0 : undefined;
      this.first = undefined;
      return { hides: false };
    }
    if (this.options === undefined || token.name !== 'option') return { hides: false };
    if (token.type === 'end') {
      if (this.first && this.first.end === undefined) this.first.end = at;
      return { hides: false };
    }
    const index = this.options++;
    const selected = token.attributes.has('selected');
    const labelled = !!token.attributes.get('label')?.trim();
    if (index === 0) this.first = labelled ? undefined : { start: after, end: undefined };
    else if (this.first?.end === undefined && this.first) this.first.end = at;
    const first = index > 0 && selected ? this.first : undefined;
    if (first) this.first = undefined;
    return {
      hides: labelled || (index > 0 && !selected),
      ...(first && first.end !== undefined ? { later: { start: first.start, end: first.end } } : {}),
    };
  }
}
