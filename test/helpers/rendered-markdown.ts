/**
 * What a Markdown hover or tooltip renders to, for tests that feed the
 * extension hostile data: its links, images, raw HTML, theme icons and text.
 * Parsed as CommonMark (micromark, as src/core/content does). VS Code renders
 * with marked, which adds GFM's bare autolinks (`https://…`, `www.…`, emails),
 * so those are looked for in the source of each text run; and it draws
 * `$(name)` as a theme icon unless written `\$(name)`, which is followed here.
 */
import { fromMarkdown } from 'mdast-util-from-markdown';

interface MdNode {
  type: string;
  value?: string;
  url?: string;
  children?: MdNode[];
  position?: { start: { offset?: number }; end: { offset?: number } };
}

export interface Rendered {
  links: { url: string; text: string }[];
  images: string[];
  html: string[];
  /** Bare URLs and emails in text that GFM would make links of. */
  autolinks: string[];
  icons: string[];
  /** The text as shown (code spans included), icons written as `$(name)`. */
  text: string;
}

const ICON = /(\\)?\$\(([A-Za-z0-9-]+(?:~[A-Za-z]+)?)\)/g;
const AUTOLINK = /(?:https?|ftp):\/\/\S*|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+/gi;

export function rendered(value: string, themeIcons = true): Rendered {
  // VS Code's markdownEscapeEscapedIcons: `\$(x)` survives Markdown as `\$(x)`, which the icon pass leaves as text.
  const source = themeIcons ? value.replace(/\\\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)/g, (m) => `\\${m}`) : value;
  const out: Rendered = { links: [], images: [], html: [], autolinks: [], icons: [], text: '' };
  const texts: string[] = [];
  const visit = (node: MdNode, inLink: boolean): string => {
    if (node.type === 'text' || node.type === 'inlineCode') {
      if (node.type === 'text' && !inLink && node.position) {
        const raw = source.slice(node.position.start.offset, node.position.end.offset);
        out.autolinks.push(...[...raw.matchAll(AUTOLINK)].map((m) => m[0]));
      }
      texts.push(node.value ?? '');
      return node.value ?? '';
    }
    if (node.type === 'html') out.html.push(node.value ?? '');
    if (node.type === 'image') out.images.push(node.url ?? '');
    if (node.type === 'link' || node.type === 'definition' || node.type.endsWith('Reference'))
      out.links.push({ url: node.url ?? '', text: '' });
    const inner = (node.children ?? []).map((c) => visit(c, inLink || node.type === 'link')).join('');
    if (node.type === 'link') out.links.at(-1)!.text = inner;
    if (node.type === 'paragraph' || node.type === 'heading') texts.push('\n');
    return inner;
  };
  visit(fromMarkdown(source) as MdNode, false);
  const shown = texts.join('');
  const drawn = (text: string) =>
    themeIcons ? text.replace(ICON, (m, escaped?: string) => (escaped ? m.slice(1) : m)) : text;
  out.text = drawn(shown);
  for (const link of out.links) link.text = drawn(link.text);
  if (themeIcons) out.icons = [...shown.matchAll(ICON)].filter((m) => !m[1]).map((m) => m[2]!);
  return out;
}
