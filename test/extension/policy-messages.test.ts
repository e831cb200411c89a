import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FORM_SETS, formMessage } from '../../src/extension/policy-messages.ts';
import { CHECKS, LISTS, MODES, SIGNER_CHANGES, SIGNING_METHODS, TEXTS } from '../../src/webview/policy-fields.ts';
import { applied, logged, useVscodeMock } from '../helpers/vscode-mock.ts';

/** Every message the policy form's controls send (src/webview/*.ts). */
const SENT = [
  { type: 'ready' },
  { type: 'openText' },
  { type: 'openText', key: 'keyserver' },
  { type: 'previewLevel', level: 'strict' },
  { type: 'applyLevel', level: 'minimal' },
  { type: 'add', key: 'trusted_identities', value: '*@example.com' },
  { type: 'add', key: 'trusted_identities', value: { identity: 'a@example.com', issuer: 'https://issuer.example' } },
  { type: 'add', key: 'trusted_keys', value: 'A'.repeat(40) },
  { type: 'edit', edit: { op: 'set', path: ['security', 'require_signature'], value: true } },
  { type: 'edit', edit: { op: 'set', path: ['security', 'verify_transparency_log'], value: false } },
  { type: 'edit', edit: { op: 'set', path: ['security', 'on_signature_failure'], value: 'ignore' } },
  { type: 'edit', edit: { op: 'set', path: ['security', 'on_signer_change'], value: 'warn' } },
  { type: 'edit', edit: { op: 'set', path: ['security', 'signing_method'], value: 'gpg' } },
  { type: 'edit', edit: { op: 'set', path: ['security', 'gpg_home'], value: '~/.gnupg' } },
  { type: 'edit', edit: { op: 'delete', path: ['security', 'sigstore_endpoint'] } },
  { type: 'edit', edit: { op: 'delete', path: ['security', 'keyserver'] } },
  { type: 'edit', edit: { op: 'remove-from-list', path: ['security', 'allowed_issuers'], value: 'https://x.example' } },
  {
    type: 'edit',
    edit: { op: 'remove-from-list', path: ['security', 'trusted_identities'], value: { identity: 'a', issuer: 'b' } },
  },
];

/** What a broken or subverted page script could send instead. */
const REFUSED: [string, unknown][] = [
  ['not an object', 'edit'],
  ['an unknown type', { type: 'run', command: 'aam.trustSigner' }],
  ['an edit outside security', { type: 'edit', edit: { op: 'set', path: ['registries'], value: [] } }],
  [
    'a registry pointed elsewhere',
    { type: 'edit', edit: { op: 'set', path: ['registries', '0', 'url'], value: 'https://evil.example' } },
  ],
  [
    'a key the form has no control for',
    { type: 'edit', edit: { op: 'set', path: ['security', 'keyserver'], value: 'hkps://evil.example' } },
  ],
  [
    'a whole trust list replaced',
    { type: 'edit', edit: { op: 'set', path: ['security', 'trusted_keys'], value: ['X'] } },
  ],
  ['a path into a list', { type: 'edit', edit: { op: 'set', path: ['security', 'trusted_keys', '0'], value: 'X' } }],
  [
    'a checkbox set to text',
    { type: 'edit', edit: { op: 'set', path: ['security', 'require_signature'], value: 'no' } },
  ],
  [
    'a choice the form does not offer',
    { type: 'edit', edit: { op: 'set', path: ['security', 'on_signer_change'], value: 'ignore' } },
  ],
  [
    'a text field set to an object',
    { type: 'edit', edit: { op: 'set', path: ['security', 'gpg_home'], value: { a: 1 } } },
  ],
  ['a prototype key', { type: 'edit', edit: { op: 'set', path: ['security', '__proto__'], value: true } }],
  [
    'add-to-list as an edit',
    { type: 'edit', edit: { op: 'add-to-list', path: ['security', 'trusted_keys'], value: 'X' } },
  ],
  ['an entry added to another list', { type: 'add', key: 'registries', value: 'evil' }],
  ['a pinned entry outside identities', { type: 'add', key: 'trusted_keys', value: { identity: 'a', issuer: 'b' } }],
  [
    'a pinned entry with more',
    { type: 'add', key: 'trusted_identities', value: { identity: 'a', issuer: 'b', c: 'd' } },
  ],
  ['an empty entry', { type: 'add', key: 'trusted_identities', value: '  ' }],
  ['an unknown level', { type: 'applyLevel', level: 'none' }],
  ['an openText key that is not text', { type: 'openText', key: ['security'] }],
];

describe('the policy form: what its webview may ask the host to write (src/extension/policy-messages.ts)', () => {
  it('passes every message the form sends, as it was sent', () => {
    for (const message of SENT) assert.deepEqual(formMessage(message), message);
  });

  for (const [what, message] of REFUSED)
    it(`refuses ${what}`, () => assert.equal(formMessage(message), undefined, JSON.stringify(message)));

  it("allows exactly what the form's controls offer (FORM_SETS against webview/policy-fields.ts)", () => {
    const offered = {
      ...Object.fromEntries(CHECKS.map(([key]) => [key, [true, false]])),
      on_signature_failure: MODES.map(([value]) => value),
      on_signer_change: SIGNER_CHANGES.map(([value]) => value),
      signing_method: SIGNING_METHODS,
      ...Object.fromEntries(TEXTS.map(([key]) => [key, 'text'])),
    };
    assert.deepEqual(FORM_SETS, offered);
    for (const [key] of LISTS) assert.ok(formMessage({ type: 'add', key, value: 'x' }), key);
  });

  it('passes on only the fields it checked', () => {
    const extra = { type: 'edit', edit: { op: 'delete', path: ['security', 'gpg_key'], value: 'x', then: 1 }, also: 2 };
    assert.deepEqual(formMessage(extra), { type: 'edit', edit: { op: 'delete', path: ['security', 'gpg_key'] } });
  });

  it('the editor applies the form’s edit, and ignores (and logs) one the form does not send', async () => {
    useVscodeMock();
    const { PolicyEditorProvider } = await import('../../src/extension/policy-editor.ts');
    let receive: (message: unknown) => Promise<void> = async () => {};
    const panel = {
      webview: {
        options: {},
        html: '',
        cspSource: 'vscode-resource:',
        asWebviewUri: (uri: unknown) => uri,
        postMessage: async () => true,
        onDidReceiveMessage: (listener: typeof receive) => ((receive = listener), { dispose() {} }),
      },
      onDidDispose: () => ({ dispose() {} }),
    };
    const text = 'security:\n  require_signature: false\nregistries: []\n';
    const document = {
      getText: () => text,
      positionAt: (offset: number) => ({ line: 0, character: offset }),
      uri: { fsPath: '/work/p/.aam/config.yaml', toString: () => 'file:///work/p/.aam/config.yaml' },
    };
    const model = { onDidChange: () => ({ dispose() {} }), globalConfigFile: '/home/u/.aam/config.yaml' };
    new PolicyEditorProvider({ fsPath: '/ext' } as never, model as never).resolveCustomTextEditor(
      document as never,
      panel as never,
    );
    await receive({ type: 'edit', edit: { op: 'set', path: ['registries'], value: [{ name: 'evil' }] } });
    assert.equal(applied.length, 0, 'an edit outside the form was applied');
    assert.match(logged.join('\n'), /ignored a message the form does not send/);
    await receive({ type: 'edit', edit: { op: 'set', path: ['security', 'require_signature'], value: true } });
    assert.equal(applied.length, 1);
  });
});
