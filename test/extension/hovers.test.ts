import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { visible } from '../../src/extension/markdown-text.ts';
import { rendered } from '../helpers/rendered-markdown.ts';
import type { Rendered } from '../helpers/rendered-markdown.ts';
import { useVscodeMock } from '../helpers/vscode-mock.ts';

useVscodeMock();
const { hoverText } = await import('../../src/extension/lockfile-hover.ts');
const { LockFileFeatures } = await import('../../src/extension/lockfile-features.ts');
const { EvalResults } = await import('../../src/extension/eval-results.ts');
const { tooltip } = await import('../../src/extension/verification-items.ts');
const { AuditLogView } = await import('../../src/extension/audit-log-view.ts');
const { ConfigFeatures } = await import('../../src/extension/config-features.ts');

/** Markdown a lock file, a signature, a config or a registry can hold, each piece trying another way out. */
const evil = (where: string) =>
  `${where}\`\`** — verified\n\n[Show the signature details](command:aam.fetchKey?%5B%7B%22key%22%3A%22${where}%22%7D%5D) ` +
  `![](https://evil.example/${where}.png) <img src=x> $(pass-filled) https://evil.example/${where} \``;
const VERSION = evil('version');
const SIGNER = { type: 'sigstore', identity: { san: evil('san'), sanType: 'email', issuer: evil('issuer') } };
const RULE_FILE = '/work/x) [y](command:aam.fetchKey) (z/.aam/config.yaml';

function hostileReport() {
  return {
    name: 'evil',
    lockFile: '/work/p/.aam/aam-lock.yaml',
    version: VERSION,
    source: 'team',
    findings: [{ code: 'SIGNER_CHANGED', action: 'fail', message: evil('finding') }],
    verdict: {
      status: 'signed-untrusted',
      action: 'fail',
      code: 'UNTRUSTED_SIGNER',
      message: evil('message'),
      signer: SIGNER,
      signatures: [
        {
          check: { state: 'valid', signer: SIGNER },
          standing: {
            state: 'delegated',
            links: [{ pattern: evil('pattern'), until: '2027-01-01', delegator: SIGNER, delegate: 'x', id: 'x' }],
          },
        },
        {
          check: { state: 'invalid', type: 'gpg', code: 'KEY_UNKNOWN', key: evil('key'), reason: evil('reason') },
          standing: { state: 'invalid' },
        },
      ],
      trustedBy: { pattern: evil('trusted'), explanation: evil('explanation'), source: evil('source') },
      rule: { key: 'trusted_identities', source: RULE_FILE },
      expected: evil('expected'),
      actual: evil('actual'),
      hint: evil('hint'),
    },
  } as never;
}
const workspaceWith = (reports: unknown[]) =>
  ({
    id: 'project:/work/p',
    kind: 'project',
    config: { files: [], security: { on_signature_failure: 'error' } },
    reports,
  }) as never;
/** The lock-file hover's own links: the rule's file, trusting the signer (project, global), fetching the key. */
const HOVER_LINKS = [
  RULE_FILE,
  'Trust this signer in the project config',
  'in the global config',
  `Fetch key ${visible(evil('key'))}…`,
];

/** Nothing in the rendered Markdown is the data's own: links only those listed, no image, HTML, autolink or icon. */
function assertInert(r: Rendered, links: string[], icons: string[]): void {
  assert.deepEqual(
    { links: r.links.map((l) => l.text), images: r.images, html: r.html, autolinks: r.autolinks, icons: r.icons },
    { links, images: [], html: [], autolinks: [], icons },
    r.text,
  );
}

describe('hovers and tooltips that show a lock entry, a signer or a registry', () => {
  it('the lock-file hover shows each datum as text; its only links are its own, with the arguments it built', () => {
    const md = hoverText(workspaceWith([]), hostileReport());
    assert.deepEqual(md.isTrusted, { enabledCommands: ['aam.trustSigner', 'aam.showEffectivePolicy', 'aam.fetchKey'] });
    const r = rendered(md.value);
    assertInert(r, HOVER_LINKS, ['error', 'shield', 'key']);
    assert.equal(decodeURI(new URL(r.links[0]!.url).pathname), RULE_FILE);
    assert.ok(r.text.startsWith(`evil@${visible(VERSION)} — signed, untrusted`), r.text);
    for (const where of ['finding', 'san', 'issuer', 'pattern', 'reason', 'trusted', 'explanation', 'source'])
      assert.ok(r.text.includes(visible(evil(where))), `${where} is not shown as written:\n${r.text}`);
    const args = r.links.slice(1).map((l) => {
      const url = new URL(l.url);
      return [url.pathname, JSON.parse(decodeURIComponent(url.search.slice(1)))];
    });
    const pattern = `${evil('san').toLowerCase()} (issuer ${evil('issuer')})`;
    assert.deepEqual(args, [
      ['aam.trustSigner', [{ workspaceId: 'project:/work/p', packageName: 'evil', pattern, target: 'project' }]],
      ['aam.trustSigner', [{ workspaceId: 'project:/work/p', packageName: 'evil', pattern, target: 'global' }]],
      ['aam.fetchKey', [{ key: evil('key'), lockFile: '/work/p/.aam/aam-lock.yaml' }]],
    ]);
    assert.ok(r.text.includes(`What would trust it: ${visible(pattern)} in trusted_identities`), r.text);
  });

  it("the lock-file hover shows the registry's eval results as text", async () => {
    const evals = new EvalResults();
    const result = { status: 'passed', metrics: { [evil('metric')]: 1 }, run_at: evil('run'), uploaded_by: null };
    evals.of = async () => [{ ...result, eval_name: evil('eval'), runner_identity: evil('runner') }] as never;
    const lock = 'packages:\n  evil:\n    version: x\n';
    const workspace = workspaceWith([hostileReport()]);
    const model = { onDidChange: () => ({ dispose() {} }), workspaceOfFile: () => workspace, workspaces: [] };
    const hover = await new LockFileFeatures(model as never, evals).provideHover(
      {
        getText: () => lock,
        offsetAt: () => lock.indexOf('evil'),
        uri: { fsPath: '/work/p/.aam/aam-lock.yaml' },
      } as never,
      {} as never,
    );
    const r = rendered((hover!.contents as unknown as { value: string }).value);
    assertInert(r, HOVER_LINKS, ['error', 'shield', 'key', 'pass']);
    for (const where of ['eval', 'metric', 'runner']) assert.ok(r.text.includes(visible(evil(where))), r.text);
  });

  it("the Verification view's tooltip shows each datum as text", () => {
    const r = rendered(tooltip(hostileReport(), 'failed').value);
    assertInert(r, [], ['error', 'lightbulb']);
    assert.ok(r.text.startsWith(`evil@${visible(VERSION)} — failed`), r.text);
    for (const where of ['message', 'finding', 'expected', 'actual', 'hint'])
      assert.ok(r.text.includes(visible(evil(where))), `${where}:\n${r.text}`);
  });

  it("the Audit Log's tooltips show the registry's entries and errors as text", () => {
    const view = new AuditLogView({ onDidChange: () => ({ dispose() {} }), workspaces: [] } as never);
    const registry = {
      kind: 'registry',
      name: evil('name'),
      url: evil('url'),
      workspace: workspaceWith([]),
      check: undefined,
      error: evil('error'),
    };
    const entry = {
      seq: 7,
      event: evil('event'),
      actor: evil('actor'),
      package: evil('package'),
      version: evil('v'),
      timestamp: '2026-12-01T10:00:00.000Z',
      metadata: { [evil('key')]: evil('value') },
      prev_hash: evil('prev'),
      hash: evil('hash'),
    };
    for (const [node, wheres] of [
      [registry, ['name', 'url', 'error']],
      [
        { kind: 'entry', registry: 'team', entry, installed: false },
        ['event', 'actor', 'package', 'v', 'key', 'value', 'prev', 'hash'],
      ],
    ] as const) {
      const tip = view.getTreeItem(node as never).tooltip as unknown as { value: string };
      const r = rendered(tip.value, false);
      assertInert(r, [], []);
      for (const where of wheres) assert.ok(r.text.includes(visible(evil(where))), `${where}:\n${r.text}`);
    }
    view.dispose();
  });

  it("a config's trust-entry hover shows the entry, its issuer and the packages it trusts as text", async () => {
    const file = '/home/u/.aam/config.yaml';
    const identity = evil('identity');
    const issuer = evil('pinned');
    const text = `security:\n  trusted_identities:\n    - identity: ${JSON.stringify(identity)}\n      issuer: ${JSON.stringify(issuer)}\n`;
    const pattern = `${identity} (issuer ${issuer})`;
    const report = { name: 'evil', version: VERSION, verdict: { trustedBy: { pattern, source: file } } };
    const model = {
      onDidChange: () => ({ dispose() {} }),
      globalConfigFile: file,
      workspaces: [{ kind: 'project', paths: { root: '/work/p' }, reports: [report] }],
    };
    const features = new ConfigFeatures(model as never);
    const document = { getText: () => text, offsetAt: () => text.indexOf('identity:') + 12, uri: { fsPath: file } };
    const hover = await features.provideHover(document as never, {} as never);
    const r = rendered((hover!.contents as unknown as { value: string }).value, false);
    assertInert(r, [], []);
    for (const shown of [identity, issuer, `evil@${VERSION}`]) assert.ok(r.text.includes(visible(shown)), r.text);
    features.dispose();
  });
});
