import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useVscodeMock } from '../helpers/vscode-mock.ts';
import type { PackageReport } from '../../src/core/verify/workspace.ts';

useVscodeMock();
const { findingList } = await import('../../src/extension/verification-items.ts');

/**
 * A package's findings in the Verification view, each under what it is about: every finding but a
 * registry's and hidden content's was shown as "Signer continuity", with "Recorded: …; now: …" made of
 * its expected and actual (a section nobody deploys read "Recorded: /p/CLAUDE.md; now: old-rules").
 */
describe("the Verification view's finding rows", () => {
  const finding = (code: string, expected = 'before', actual = 'after') => ({
    code,
    action: 'warn',
    message: `${code} message.`,
    expected,
    actual,
    hint: undefined,
  });
  const rows = (...findings: ReturnType<typeof finding>[]) =>
    findingList({ findings } as unknown as PackageReport).map((row) => [row.label, row.detail]);

  it('names each by what it is about, and says recorded and now only of signer continuity', () => {
    assert.deepEqual(
      rows(
        finding('SECTION_UNOWNED', '/p/CLAUDE.md', 'old-rules instruction'),
        finding('DEPLOY_COLLISION'),
        finding('REGISTRY_LOG'),
        finding('EXTRA_SIGNATURE_UNKNOWN_KEY'),
        finding('FOLDER_SHARED'),
        finding('SIGNER_CHANGED', 'alice', 'mallory'),
      ),
      [
        ['Deployed copies', 'SECTION_UNOWNED message.'],
        ['Deployed copies', 'DEPLOY_COLLISION message.'],
        ['Registry', 'REGISTRY_LOG message.'],
        ['Signatures', 'EXTRA_SIGNATURE_UNKNOWN_KEY message.'],
        ['Installed folder', 'FOLDER_SHARED message.'],
        ['Signer continuity', 'SIGNER_CHANGED message. Recorded: alice; now: mallory.'],
      ],
    );
  });
});
