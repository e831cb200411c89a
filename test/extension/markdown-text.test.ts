import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commandLink, fileLink, mdCode, mdText, visible } from '../../src/extension/markdown-text.ts';
import { rendered } from '../helpers/rendered-markdown.ts';

/** Text a pull request or a registry could write, each trying to make Markdown of its own. */
const HOSTILE = [
  '1.0.0** — verified\n\n[Show the signature details](command:aam.fetchKey?%5B%7B%22key%22%3A%22x%22%7D%5D) **',
  '![](https://evil.example/pixel.png)',
  '<img src="https://evil.example/p.png"> <a href="command:aam.trustSigner">click</a> &lt;b&gt;',
  '<https://evil.example/auto> https://evil.example/bare www.evil.example mallory@evil.example',
  '[ref]\n\n[ref]: command:aam.fetchKey',
  '# Verified\n- item\n1. item\n> quote\n---\n| a | b |\n```\ncode',
  '$(pass-filled) verified $(check~spin)',
  'a\u202eevil\u2066 \u001b[2K\r\u2028line',
  '\\[not a link\\](command:x) \\\\',
];

const shownOf = (markdown: string) => rendered(markdown).text.trim();

describe('Markdown from data we do not control (src/extension/markdown-text.ts)', () => {
  for (const text of HOSTILE)
    it(`mdText renders ${JSON.stringify(text.slice(0, 40))}… as itself: no link, image, HTML or icon`, () => {
      const r = rendered(`**Package** ${mdText(text)} — verified`);
      assert.deepEqual([r.links, r.images, r.html, r.autolinks, r.icons], [[], [], [], [], []], JSON.stringify(r));
      assert.equal(r.text.trim(), `Package ${visible(text)} — verified`);
    });

  for (const text of [...HOSTILE, '`', 'a`b', 'a``b`c', '`start', 'end`', ' spaced ', 'plain@1.0.0'])
    it(`mdCode keeps ${JSON.stringify(text.slice(0, 40))} inside its span (or as text, for an icon)`, () => {
      const r = rendered(`**Signed by:** ${mdCode(text)} · issuer`);
      assert.deepEqual([r.links, r.images, r.html, r.autolinks, r.icons], [[], [], [], [], []], JSON.stringify(r));
      assert.equal(r.text.trim(), `Signed by: ${visible(text)} · issuer`);
    });

  it('mdCode writes an ordinary value as it always was: one backtick each side', () => {
    assert.equal(mdCode('alice@example.com'), '`alice@example.com`');
    assert.equal(mdCode('a`b'), '``a`b``');
  });

  it('visible() writes line breaks, escapes and bidi controls out, and leaves other text alone', () => {
    assert.equal(
      visible('a\nb\r\tc\u001b[2K\u0085\u202e\u2066\u2028\u061cü✓'),
      'a\\nb\\r\\tc\\x1b[2K\\x85<U+202E><U+2066><U+2028><U+061C>ü✓',
    );
  });

  it('commandLink: a datum among the arguments cannot end the link or add one', () => {
    const key = 'x) [Fetch](command:aam.trustSigner?%5B%5D) (www.evil.example';
    const r = rendered(`$(key) ${commandLink(`Fetch key ${key}…`, 'aam.fetchKey', [{ key }])}`);
    assert.equal(r.links.length, 1, JSON.stringify(r));
    assert.equal(r.links[0]!.text, `Fetch key ${key}…`);
    const url = new URL(r.links[0]!.url);
    assert.equal(url.protocol, 'command:');
    assert.equal(url.pathname, 'aam.fetchKey');
    assert.deepEqual(JSON.parse(decodeURIComponent(url.search.slice(1))), [{ key }]);
    assert.deepEqual([r.images, r.html, r.autolinks, r.icons], [[], [], [], ['key']]);
  });

  it('fileLink: a path with brackets and parentheses stays one link to that file', () => {
    const path = '/home/u/x) [y](command:aam.fetchKey) (z/.aam/config.yaml';
    const r = rendered(`in ${fileLink(path, `file://${encodeURI(path)}`)}`);
    assert.equal(r.links.length, 1, JSON.stringify(r));
    assert.equal(r.links[0]!.text, path);
    assert.equal(decodeURI(new URL(r.links[0]!.url).pathname), path);
    assert.equal(shownOf(`in ${fileLink(path, `file://${encodeURI(path)}`)}`), `in ${path}`);
  });
});
