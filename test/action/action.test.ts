import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compositionWorld, STRICT_POLICY } from '../helpers/composition.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { sarifErrors } from '../helpers/sarif.ts';
import { runStep } from '../helpers/action-step.ts';
import { tempDir } from '../helpers/temp.ts';
import type { SignedWorld } from '../helpers/signed-world.ts';

describe('the GitHub Action, in a simulated runner', () => {
  const local = useLocalSigstore();
  let w: SignedWorld;
  const verifyStep = (inputs: Record<string, string> = {}) =>
    runStep({ command: 'verify', project: 'project', ...inputs }, { GITHUB_WORKSPACE: w.root, HOME: w.home });

  before(async () => {
    w = await compositionWorld(local.instance());
  });

  it('verify: fails the step, writes the job summary table and the outputs', async () => {
    const step = await verifyStep();
    assert.equal(step.code, 1);
    assert.match(
      step.summary,
      /^## ❌ AAM Trust: 7 of 11 packages compliant\n\nProject `project` · policy: Strict · restricted/,
    );
    assert.match(
      step.summary,
      /\| Status \| Packages \| Not compliant \|\n\| --- \| ---: \| ---: \|\n\| verified \| 7 \| 0 \|\n\| signed, untrusted \| 2 \| 2 \|\n\| tampered \| 1 \| 1 \|\n\| unsigned \| 1 \| 1 \|\n/,
    );
    assert.match(step.summary, /### Not compliant \(4\)\n\n\| Package \| Status \| Signer \| Why \|/);
    assert.match(
      step.summary,
      // Data is escaped as Markdown (`\@`, `\.`): it renders as written, and no email becomes a link.
      /\| `bob-1@1\.0\.0` \| signed, untrusted \| bob\\@partner\\\.example \| Signed by bob\\@partner\\\.example/,
    );
    assert.deepEqual(
      { total: step.outputs.total, compliant: step.outputs.compliant, failing: step.outputs['not-compliant'] },
      { total: '11', compliant: '7', failing: '4' },
    );
    assert.match(
      step.stdout,
      /^::error file=project\/\.aam\/aam-lock\.yaml,line=\d+,title=plain@1\.0\.0%3A unsigned::Package is not signed, and require_signature is true\.$/m,
    );
  });

  it('verify: the SARIF file is schema-valid, with one result per failing package on its lock-file line', async () => {
    const step = await verifyStep();
    const sarif = JSON.parse(await readFile(step.outputs.sarif!, 'utf8'));
    assert.deepEqual(sarifErrors(sarif), []);
    const results = sarif.runs[0].results as {
      ruleId: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
    assert.equal(results.length, 4);
    const lock = (await readFile(join(w.project, '.aam', 'aam-lock.yaml'), 'utf8')).split('\n');
    const byPackage = Object.fromEntries(
      results.map((r) => {
        const { artifactLocation, region } = r.locations[0]!.physicalLocation;
        assert.equal(artifactLocation.uri, 'project/.aam/aam-lock.yaml');
        const name = /^([^@]+)@/.exec(r.message.text)![1]!;
        assert.match(lock[region.startLine - 1]!, new RegExp(`^ {2}['"]?${name}['"]?:$`), `${name} is on its line`);
        return [name, r.ruleId];
      }),
    );
    assert.deepEqual(byPackage, {
      'bob-1': 'UNTRUSTED_SIGNER',
      'bob-2': 'UNTRUSTED_SIGNER',
      edited: 'FILES_MODIFIED',
      plain: 'UNSIGNED',
    });
    assert.deepEqual(sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id).sort(), [
      'FILES_MODIFIED',
      'UNSIGNED',
      'UNTRUSTED_SIGNER',
    ]);
  });

  it('verify is restricted by default: a pull request cannot weaken the policy it is checked with', async () => {
    await writeFile(
      join(w.project, '.aam', 'config.yaml'),
      'security:\n  on_signature_failure: warn\n  require_signature: false\n',
    );
    try {
      const restricted = await verifyStep({ sarif: 'out/aam.sarif' });
      assert.equal(restricted.code, 1);
      assert.equal(restricted.outputs['not-compliant'], '4');
      assert.equal(restricted.outputs.sarif, join(w.root, 'out', 'aam.sarif'));
      const trusting = await verifyStep({ restricted: 'false' });
      assert.equal(trusting.outputs['not-compliant'], '1', 'only the edited package: the project relaxed the rest');
      assert.doesNotMatch(trusting.summary, / · restricted/);
    } finally {
      await writeFile(join(w.project, '.aam', 'config.yaml'), '');
    }
  });

  it('verify: a project that could not be checked fails the step, and the summary, annotations and SARIF say so', async () => {
    await writeFile(join(w.project, '.aam', 'config.yaml'), 'security:\n  require_signature: maybe\n');
    try {
      const step = await verifyStep();
      assert.equal(step.code, 1);
      assert.equal(step.outputs['not-compliant'], '0', 'no package was checked');
      assert.match(step.summary, /^## ❌ AAM Trust: 0 of 0 packages compliant\n/);
      assert.match(
        step.summary,
        /\n> ⚠️ \*\*Not checked:\*\* project\\: not checked\\: The security policy has errors\\: .*require\\_signature must be a boolean.* Next: Fix these settings/,
      );
      assert.match(
        step.stdout,
        /^::error title=AAM Trust%3A not checked::project: not checked: The security policy has errors/m,
      );
      const sarif = JSON.parse(await readFile(step.outputs.sarif!, 'utf8'));
      assert.deepEqual(sarifErrors(sarif), []);
      assert.deepEqual(
        sarif.runs[0].results.map(
          (r: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
            `${r.ruleId} ${r.locations[0]!.physicalLocation.artifactLocation.uri}`,
        ),
        ['NOT_CHECKED project/.aam/aam-lock.yaml'],
      );
    } finally {
      await writeFile(join(w.project, '.aam', 'config.yaml'), '');
    }
  });

  it('publish: signs with the workflow identity from the OIDC token the runner offers, and says so', async () => {
    const workspace = await tempDir('aam-publish-ws-');
    await w.policy(`sigstore_endpoint: ${local.instance().url}\n${STRICT_POLICY}`);
    const oidc = local.instance().actionsIdTokenRequest('acme/tools');
    const step = await runStep(
      { command: 'publish', package: await w.makePackage('@acme/my-skill', '1.2.0') },
      {
        GITHUB_WORKSPACE: workspace,
        HOME: w.home,
        ACTIONS_ID_TOKEN_REQUEST_URL: oidc.url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.token,
      },
    );
    assert.equal(step.code, 0, step.stdout);
    const identity = 'https://github.com/acme/tools/.github/workflows/release.yml@refs/heads/main';
    assert.equal(step.outputs.signer, identity);
    assert.equal(step.outputs.package, '@acme/my-skill@1.2.0');
    assert.match(
      step.summary,
      new RegExp(
        // The identity is data, written as Markdown text: its punctuation escaped.
        `^## ✅ Published \`@acme/my-skill@1\\.2\\.0\`, signed\\n[^]*\\| ${identity.replace(/[!-/:-@[-`{-~]/g, (c) => `\\\\\\${c}`)} \\(sigstore\\) \\| entry \\d+ \\|`,
      ),
    );
    const metadata = (await w.registry.metadata('@acme/my-skill'))!;
    assert.equal(metadata.versions[0]?.signatures?.[0]?.identity, identity);
    // Without the runner's token there is no identity to sign with: the step fails and says why.
    const refused = await runStep(
      { command: 'publish', package: await w.makePackage('@acme/my-skill', '1.2.1') },
      {
        GITHUB_WORKSPACE: workspace,
        HOME: w.home,
        ACTIONS_ID_TOKEN_REQUEST_URL: oidc.url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong',
      },
    );
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stdout,
      /^::error title=AAM Trust publish::Could not get an identity token: .*GitHub Actions did not issue an ID token \(HTTP 401\)/m,
    );
    assert.equal(await w.registry.metadata('@acme/my-skill').then((m) => m?.versions.length), 1, 'nothing published');
  });
});
