import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';
import { makeGpgHome } from '../helpers/gpg.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';
import { makeWorld } from '../helpers/workspace.ts';

describe('aam-trust publish, sign and delegate with several signers', () => {
  const local = useLocalSigstore();

  async function setup(security = '') {
    const w = await makeWorld();
    const { home: gnupg, fingerprints } = await makeGpgHome([
      { uid: 'Key A <a@example.com>', algo: 'ed25519' },
      { uid: 'Key B <b@example.com>', algo: 'ed25519' },
    ]);
    const root = join(w.root, 'trusted_root.json');
    await writeFile(root, JSON.stringify(local.instance().trustedRoot()));
    const configure = (policy: string) =>
      w.writeGlobalConfig(
        `sigstore_trusted_root: ${root}\nsigstore_endpoint: ${local.instance().url}\ngpg_home: ${gnupg}\n${policy}`,
      );
    await configure(security);
    const run = (args: string[], extra: Parameters<typeof cli>[1] extends infer O ? Partial<O> : never = {}) =>
      cli(args, { cwd: w.project, home: w.home, ...extra });
    /** Publishes NAME@1.0.0 to the default registry, signed with Sigstore as `email` (the local issuer's token). */
    const publishAs = async (name: string, email: string) => {
      const published = await run([
        'publish',
        await w.makePackage(name, '1.0.0'),
        '--sign',
        '--identity-token',
        local.instance().mintToken(email),
      ]);
      assert.equal(published.code, 0, published.stderr);
    };
    return {
      w,
      run,
      configure,
      publishAs,
      a: fingerprints['Key A <a@example.com>']!,
      b: fingerprints['Key B <b@example.com>']!,
    };
  }

  it('publish --sign --gpg-key A --gpg-key B signs with both keys, and says so', async () => {
    const { w, run, a, b } = await setup();
    const dir = await w.makePackage('tool', '1.0.0');
    const published = await run(['publish', dir, '--sign', '--gpg-key', 'a@example.com', '--gpg-key', 'b@example.com']);
    assert.equal(published.code, 0, published.stderr);
    assert.match(
      published.stdout,
      new RegExp(`Using key: Key A <a@example.com> \\(${a}\\)[\\s\\S]*Using key: Key B <b@example.com> \\(${b}\\)`),
    );
    assert.match(published.stdout, /✓ 2 signatures uploaded/);
    assert.deepEqual((await readdir(join(w.registryDir, 'packages', 'tool', 'versions'))).sort(), [
      '1.0.0.aam',
      '1.0.0.aam.2.asc',
      '1.0.0.aam.asc',
    ]);
    const unused = await run([
      'publish',
      await w.makePackage('other', '1.0.0'),
      '--gpg-key',
      'a@example.com',
      '--identity-token',
      'x',
    ]);
    assert.equal(unused.code, 2);
    assert.match(unused.stderr, /--identity-token is for Sigstore signing, which was not asked for/);
    const twice = await run([
      'publish',
      await w.makePackage('other', '1.0.0'),
      '--gpg-key',
      'a@example.com',
      '--gpg-key',
      'a@example.com',
    ]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /--gpg-key a@example\.com was given twice/);
  });

  it('publish with Sigstore and OpenPGP together: --signing-method sigstore --gpg-key A', async () => {
    const { w, run } = await setup();
    const token = local.instance().mintToken('alice@example.com');
    const published = await run([
      'publish',
      await w.makePackage('both', '1.0.0'),
      '--signing-method',
      'sigstore',
      '--gpg-key',
      'a@example.com',
      '--identity-token',
      token,
    ]);
    assert.equal(published.code, 0, published.stderr);
    assert.deepEqual((await readdir(join(w.registryDir, 'packages', 'both', 'versions'))).sort(), [
      '1.0.0.aam',
      '1.0.0.aam.asc',
      '1.0.0.aam.sigstore.json',
    ]);
  });

  it('sign NAME@VERSION adds a co-signature; the same signer again is refused, as is a version not there', async () => {
    const { w, run, b } = await setup(`trusted_keys: []\non_signature_failure: warn`);
    assert.equal((await run(['publish', await w.makePackage('tool', '1.0.0'), '--gpg-key', 'a@example.com'])).code, 0);
    const signed = await run(['sign', 'tool@1.0.0', '--gpg-key', 'b@example.com']);
    assert.equal(signed.code, 0, signed.stderr);
    assert.match(signed.stdout, /→ Already signed: 1\.0\.0\.aam\.asc — Key A <a@example\.com>/);
    assert.match(signed.stdout, /✓ Added a signature to tool@1\.0\.0 in registry team: 1\.0\.0\.aam\.2\.asc/);
    const again = await run(['sign', 'tool@1.0.0', '--gpg-key', b]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /Key B <b@example\.com>, key .* already signed this/);
    const missing = await run(['sign', 'tool@9.9.9', '--gpg-key', 'b@example.com']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /tool@9\.9\.9 is not in registry "team"/);
    const usage = await run(['sign', 'tool']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /sign needs one NAME@VERSION/);
    // --checksum names the archive reviewed: another one is not signed.
    const other = await run([
      'sign',
      'tool@1.0.0',
      '--gpg-key',
      'b@example.com',
      '--checksum',
      `sha256:${'0'.repeat(64)}`,
    ]);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /now serves other bytes for tool@1\.0\.0 than the archive you reviewed/);
    const malformed = await run(['sign', 'tool@1.0.0', '--gpg-key', 'b@example.com', '--checksum', 'abc']);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /--checksum takes sha256: and 64 hex digits, not "abc"/);
  });

  it('delegate, install through the delegation, revoke, and verify refuses it with the reason', async () => {
    const { w, run } = await setup('trusted_identities: ["alice@example.com"]\non_signature_failure: error');
    const alice = local.instance().mintToken('alice@example.com');
    const made = await run([
      'delegate',
      '@acme/*',
      '--to',
      'bob@partner.io',
      '--until',
      '2099-12-31',
      '--identity-token',
      alice,
    ]);
    assert.equal(made.code, 0, made.stderr);
    const id = /✓ Delegation ([0-9a-f]{12}) signed by alice@example\.com/.exec(made.stdout)?.[1];
    assert.ok(id, made.stdout);
    const listed = await run(['delegate', '--list']);
    assert.match(
      listed.stdout,
      new RegExp(
        `${id}  @acme/\\* → bob@partner\\.io until 2099-12-31T23:59:59\\.999Z  — signed by alice@example\\.com`,
      ),
    );
    const bob = local.instance().mintToken('bob@partner.io');
    assert.equal(
      (await run(['publish', await w.makePackage('@acme/tool', '1.0.0'), '--sign', '--identity-token', bob])).code,
      0,
    );
    const installed = await run(['install', '@acme/tool', '--no-deploy']);
    assert.equal(installed.code, 0, installed.stderr);
    const revoked = await run(['delegate', '--revoke', id, '--reason', 'contract ended', '--identity-token', alice]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const verified = await run(['verify', '--json']);
    assert.equal(verified.code, 1);
    const report = (JSON.parse(verified.stdout) as { packages: { code: string; message: string }[] }).packages[0]!;
    assert.equal(report.code, 'DELEGATION_REFUSED');
    assert.match(report.message, /was revoked by alice@example\.com .*: contract ended/);
    const past = await run([
      'delegate',
      '@acme/*',
      '--to',
      'bob@partner.io',
      '--until',
      '2001-01-01',
      '--identity-token',
      alice,
    ]);
    assert.equal(past.code, 2);
    assert.match(past.stderr, /has passed/);
    // The registry's operator removes the delegation to make room; its revocation stays.
    const removed = await run(['delegate', '--remove', id]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, new RegExp(`✓ Removed delegation ${id} from registry`));
    const left = JSON.parse((await run(['delegate', '--list', '--json'])).stdout) as { kind: string; text: string }[];
    assert.deepEqual(
      left.map((d) => d.kind),
      ['revocation'],
    );
    const again = await run(['delegate', '--remove', id]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, new RegExp(`has no delegation ${id}`));
    // Still refused: the evidence cache kept the delegation at install, and the revocation still names it.
    assert.equal((await run(['verify', '--json'])).code, 1);
  });

  it('install refuses a delegate through a delegation for another pattern and one by an untrusted signer, naming each', async () => {
    const { w, run, publishAs } = await setup('trusted_identities: ["alice@example.com"]\non_signature_failure: error');
    const token = (email: string) => local.instance().mintToken(email);
    const delegate = (pattern: string, by: string) =>
      run(['delegate', pattern, '--to', 'bob@partner.io', '--until', '2099-12-31', '--identity-token', token(by)]);
    assert.equal((await delegate('@other/*', 'alice@example.com')).code, 0);
    assert.equal((await delegate('@acme/*', 'carol@elsewhere.example')).code, 0);
    await publishAs('@acme/tool', 'bob@partner.io');
    const refused = await run(['install', '@acme/tool', '--no-deploy']);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /@acme\/tool@1\.0\.0: Signed by bob@partner\.io.*, whose delegation is refused: /);
    assert.match(refused.stderr, /for @other\/\*, not @acme\/tool/);
    assert.match(refused.stderr, /is signed by carol@elsewhere\.example .*, who is not in your trust lists/);
    assert.equal((await readdir(join(w.project, '.aam'))).includes('aam-lock.yaml'), false);
  });

  it('install refuses a delegate whose delegation expired before it signed, naming the date', async () => {
    const { run, publishAs } = await setup('trusted_identities: ["alice@example.com"]\non_signature_failure: error');
    const until = new Date(Date.now() + 4000).toISOString();
    const made = await run([
      'delegate',
      '@acme/*',
      '--to',
      'bob@partner.io',
      '--until',
      until,
      '--identity-token',
      local.instance().mintToken('alice@example.com'),
    ]);
    assert.equal(made.code, 0, made.stderr);
    // The delegation lapses; only then does the delegate sign (the transparency log's time says when).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(until) - Date.now()) + 1500));
    await publishAs('@acme/tool', 'bob@partner.io');
    const refused = await run(['install', '@acme/tool', '--no-deploy']);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(
      refused.stderr,
      new RegExp(
        `whose delegation is refused: delegation [0-9a-f]{12} \\(by alice@example\\.com .*for @acme/\\*\\) expired on ${until.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, before the signature was made \\(\\d{4}-`,
      ),
    );
  });

  it('install refuses a delegation loop, re-delegation the delegation does not allow, and a chain past the depth limit', async () => {
    const { run, publishAs } = await setup('trusted_identities: ["alice@example.com"]\non_signature_failure: error');
    const token = (email: string) => local.instance().mintToken(email);
    const delegate = async (pattern: string, by: string, to: string, depth: number) => {
      const made = await run([
        'delegate',
        pattern,
        '--to',
        to,
        '--until',
        '2099-12-31',
        '--max-depth',
        String(depth),
        '--identity-token',
        token(by),
      ]);
      assert.equal(made.code, 0, made.stderr);
    };
    const refusal = async (name: string) => {
      const refused = await run(['install', name, '--no-deploy']);
      assert.equal(refused.code, 1, refused.stdout);
      return refused.stderr;
    };
    // A loop: bob and carol delegate @loop/* to each other, and neither leads to anyone trusted.
    await delegate('@loop/*', 'bob@partner.io', 'carol@partner.io', 1);
    await delegate('@loop/*', 'carol@partner.io', 'bob@partner.io', 1);
    await publishAs('@loop/tool', 'bob@partner.io');
    assert.match(
      await refusal('@loop/tool'),
      /@loop\/tool@1\.0\.0: Signed by bob@partner\.io.*, whose delegation is refused: (?:[^\n]*; )?a delegation loop: carol@partner\.io .*→ bob@partner\.io .*signs for itself/,
    );
    // Re-delegation where the delegation does not allow it: alice → bob (--max-depth 0), bob → dave.
    await delegate('@acme/*', 'alice@example.com', 'bob@partner.io', 0);
    await delegate('@acme/*', 'bob@partner.io', 'dave@partner.io', 0);
    await publishAs('@acme/tool', 'dave@partner.io');
    assert.match(
      await refusal('@acme/tool'),
      /Signed by dave@partner\.io.*, whose delegation is refused: (?:[^\n]*; )?delegation [0-9a-f]{12} \(by alice@example\.com .*for @acme\/\*\) does not allow re-delegation/,
    );
    // Past the depth limit: alice → p1 → p2 → p3 → p4, each allowing 3 more levels; p4's signature is 4 delegations down.
    await delegate('@deep/*', 'alice@example.com', 'p1@partner.io', 3);
    await delegate('@deep/*', 'p1@partner.io', 'p2@partner.io', 3);
    await delegate('@deep/*', 'p2@partner.io', 'p3@partner.io', 3);
    await delegate('@deep/*', 'p3@partner.io', 'p4@partner.io', 3);
    await publishAs('@deep/tool', 'p4@partner.io');
    assert.match(
      await refusal('@deep/tool'),
      /Signed by p4@partner\.io.*, whose delegation is refused: (?:[^\n]*; )?the delegation chain is longer than 3 delegations/,
    );
    // One level less passes: p3 signs through p2, p1 and alice.
    await publishAs('@deep/other', 'p3@partner.io');
    const installed = await run(['install', '@deep/other', '--no-deploy']);
    assert.equal(installed.code, 0, installed.stderr);
  });

  it('allow_delegation: false refuses a signature that is trusted only through a delegation, and says so', async () => {
    const { w, run, configure } = await setup('trusted_identities: ["alice@example.com"]\non_signature_failure: error');
    const token = (email: string) => local.instance().mintToken(email);
    assert.equal(
      (
        await run([
          'delegate',
          '@acme/*',
          '--to',
          'bob@partner.io',
          '--until',
          '2099-12-31',
          '--identity-token',
          token('alice@example.com'),
        ])
      ).code,
      0,
    );
    assert.equal(
      (
        await run([
          'publish',
          await w.makePackage('@acme/tool', '1.0.0'),
          '--sign',
          '--identity-token',
          token('bob@partner.io'),
        ])
      ).code,
      0,
    );
    assert.equal((await run(['install', '@acme/tool', '--no-deploy'])).code, 0);
    await configure('trusted_identities: ["alice@example.com"]\non_signature_failure: error\nallow_delegation: false');
    const verified = await run(['verify', '--json']);
    assert.equal(verified.code, 1, verified.stdout);
    const report = (JSON.parse(verified.stdout) as { packages: { code: string; message: string }[] }).packages[0]!;
    assert.equal(report.code, 'DELEGATION_REFUSED');
    assert.match(
      report.message,
      /Signed by bob@partner\.io.*signs only through a delegation, and allow_delegation is false/,
    );
  });

  it('install --review and diff list every signer, the signers that came and went, and the delegations used', async () => {
    const { w, run, a, b, publishAs } = await setup(
      'trusted_identities: ["alice@example.com"]\non_signature_failure: error\non_signer_change: warn',
    );
    const alice = () => ['--identity-token', local.instance().mintToken('alice@example.com')];
    const publish = async (version: string, ...keys: string[]) => {
      const published = await run([
        'publish',
        await w.makePackage('@acme/tool', version),
        '--signing-method',
        'sigstore',
        ...keys.flatMap((k) => ['--gpg-key', k]),
        ...alice(),
      ]);
      assert.equal(published.code, 0, published.stderr);
    };
    // 1.0.0 co-signed by Alice and key A; 1.1.0 by Alice and key B: A is gone, B came.
    await publish('1.0.0', 'a@example.com');
    assert.equal((await run(['install', '@acme/tool@1.0.0', '--no-deploy'])).code, 0);
    const base = join(w.root, 'base');
    await cp(join(w.project, '.aam'), join(base, '.aam'), { recursive: true });
    await publish('1.1.0', 'b@example.com');
    const reviewed = await run(['install', '@acme/tool@1.1.0', '--review', '--no-deploy']);
    assert.equal(reviewed.code, 0, reviewed.stderr);
    const keyA = `Key A <a@example\\.com>, OpenPGP key ${a}`;
    const keyB = `Key B <b@example\\.com>, OpenPGP key ${b}`;
    assert.match(
      reviewed.stdout,
      new RegExp(
        `  signers: +alice@example\\.com \\(issuer [^)]*\\) and ${keyA} → alice@example\\.com \\(issuer [^)]*\\) and ${keyB}\\n` +
          `  signer added: ${keyB}\\n  signer gone: +${keyA}\\n  signature: +sigstore \\+ gpg → sigstore \\+ gpg\\n`,
      ),
    );
    assert.match(
      reviewed.stdout,
      new RegExp(`✗ Signature removed: the signature by ${keyA} is gone \\(still signed by alice@example\\.com`),
    );
    const installed = await run(['install', '@acme/tool@1.1.0', '--review', '--yes', '--no-deploy']);
    assert.equal(installed.code, 0, installed.stderr);
    const diff = await run(['diff', base]);
    assert.equal(diff.code, 1, diff.stdout);
    assert.match(
      diff.stdout,
      new RegExp(
        `signers: alice@example\\.com .* and ${keyA} → alice@example\\.com .* and ${keyB}\\n +\\+ ${keyB} \\(signer added\\)\\n +− ${keyA} \\(signer gone\\)\\n +kind: +sigstore \\+ gpg → sigstore \\+ gpg`,
      ),
    );
    assert.match(diff.stdout, new RegExp(`reason to look again: @acme/tool: the signature by ${keyA} is gone`));
    const json = JSON.parse((await run(['diff', base, '--json'])).stdout) as {
      packages: { name: string; after: { signers: string[] }; signerChange: { added: string[]; removed: string[] } }[];
    };
    const tool = json.packages.find((p) => p.name === '@acme/tool')!;
    assert.equal(tool.after.signers.length, 2);
    assert.deepEqual([tool.signerChange.added.length, tool.signerChange.removed.length], [1, 1]);
    // A delegate's package: the review says whose delegation it signs through.
    assert.equal(
      (await run(['delegate', '@acme/*', '--to', 'bob@partner.io', '--until', '2099-12-31', ...alice()])).code,
      0,
    );
    await publishAs('@acme/lint', 'bob@partner.io');
    const delegated = await run(['install', '@acme/lint', '--review', '--no-deploy']);
    assert.match(
      delegated.stdout,
      /  signer: +— → bob@partner\.io \(issuer [^)]*\)\n  signature: +— → sigstore\n  delegation: +bob@partner\.io .* — delegated by alice@example\.com for @acme\/\* until 2099-12-31\n/,
    );
    // Installed, then updated by the same delegate: the installed version, judged from the records, is
    // trusted through the delegation it was installed by, as it was verified — not "signed, untrusted".
    assert.equal((await run(['install', '@acme/lint', '--review', '--yes', '--no-deploy'])).code, 0);
    const installedBase = join(w.root, 'base-lint');
    await cp(join(w.project, '.aam'), join(installedBase, '.aam'), { recursive: true });
    const bob = local.instance().mintToken('bob@partner.io');
    const next = await run(['publish', await w.makePackage('@acme/lint', '1.1.0'), '--sign', '--identity-token', bob]);
    assert.equal(next.code, 0, next.stderr);
    const update = await run(['install', '@acme/lint@1.1.0', '--review', '--no-deploy']);
    assert.equal(update.code, 0, update.stderr);
    assert.match(update.stdout, /  verdict: +verified, signed by bob@partner\.io[^\n]*\(was verified\)\n/);
    assert.equal((await run(['install', '@acme/lint@1.1.0', '--review', '--yes', '--no-deploy'])).code, 0);
    const lint = (
      JSON.parse((await run(['diff', installedBase, '--json'])).stdout) as {
        packages: { name: string; before: { status: string; delegations: string[] }; after: { status: string } }[];
      }
    ).packages.find((p) => p.name === '@acme/lint')!;
    assert.deepEqual([lint.before.status, lint.after.status], ['verified', 'verified']);
    assert.match(lint.before.delegations.join('\n'), /delegated by alice@example\.com for @acme\/\* until 2099-12-31/);
  });

  it('report names every signer of a co-signed package and the delegation a delegate signs through, in every format', async () => {
    const { w, run, a, publishAs } = await setup(
      `trusted_identities: ["alice@example.com"]\non_signature_failure: error`,
    );
    const alice = () => ['--identity-token', local.instance().mintToken('alice@example.com')];
    const cosigned = await run([
      'publish',
      await w.makePackage('@acme/tool', '1.0.0'),
      '--signing-method',
      'sigstore',
      '--gpg-key',
      'a@example.com',
      ...alice(),
    ]);
    assert.equal(cosigned.code, 0, cosigned.stderr);
    assert.equal(
      (await run(['delegate', '@acme/*', '--to', 'bob@partner.io', '--until', '2099-12-31', ...alice()])).code,
      0,
    );
    await publishAs('@acme/lint', 'bob@partner.io');
    assert.equal((await run(['install', '@acme/tool', '@acme/lint', '--no-deploy'])).code, 0);
    const keyA = `Key A <a@example.com> (${a})`;
    const delegation = /^bob@partner\.io — delegated by alice@example\.com for @acme\/\* until 2099-12-31$/;
    for (const scope of [[], ['--registry', 'team']]) {
      const json = JSON.parse((await run(['report', ...scope, '--format', 'json'])).stdout) as {
        rows: { name: string; signer: string; signers: string[]; delegations: string[] }[];
        totals: { total: number; bySigner: { signer: string; count: number }[] };
      };
      const row = (name: string) => json.rows.find((r) => r.name === name)!;
      assert.equal(row('@acme/tool').signer, 'alice@example.com');
      assert.deepEqual(row('@acme/tool').signers, ['alice@example.com', keyA]);
      assert.deepEqual(row('@acme/tool').delegations, []);
      assert.deepEqual(row('@acme/lint').signers, ['bob@partner.io']);
      assert.match(
        row('@acme/lint').delegations.join(),
        delegation,
        `${scope.join(' ')} ${JSON.stringify(row('@acme/lint'))}`,
      );
      // A co-signed package counts under each of its signers.
      assert.equal(json.totals.total, 2);
      assert.deepEqual(json.totals.bySigner, [
        { signer: 'alice@example.com', count: 1 },
        { signer: 'bob@partner.io', count: 1 },
        { signer: keyA, count: 1 },
      ]);
    }
    const table = (await run(['report'])).stdout;
    assert.match(
      table,
      new RegExp(
        `By signer:\\n {2}alice@example\\.com +1\\n {2}bob@partner\\.io +1\\n {2}Key A <a@example\\.com> \\(${a}\\) +1\\n`,
      ),
    );
    const [header, ...lines] = (await run(['report', '--format', 'csv'])).stdout.trimEnd().split('\r\n');
    const columns = header!.split(',');
    const cells = (name: string) => lines.find((l) => l.startsWith(`.,'${name},`))!.split(','); // a cell that starts with @ is kept as text;
    assert.equal(cells('@acme/tool')[columns.indexOf('signer')], `alice@example.com + ${keyA}`);
    assert.match(cells('@acme/lint')[columns.indexOf('delegations')]!, delegation);
    const out = join(w.root, 'report.html');
    await run(['report', '--format', 'html', '--output', out]);
    const page = JSON.parse(
      /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(await readFile(out, 'utf8'))![1]!,
    ) as { report: { rows: { name: string; signers: string[] }[] } };
    assert.deepEqual(page.report.rows.find((r) => r.name === '@acme/tool')!.signers, ['alice@example.com', keyA]);
  });

  it('signs in out of band when asked (--oauth-force-oob), with another issuer (--oidc-issuer): URL printed, code read back', async () => {
    const { w, run } = await setup();
    const issuer = local.instance().oidcIssuer;
    await w.writeGlobalConfig(
      `sigstore_endpoint: ${local.instance().url}\nsigstore_oidc_issuer: https://oauth2.invalid/auth\nsigstore_trusted_root: ${join(w.root, 'trusted_root.json')}`,
    );
    const prompts: string[] = [];
    const published = await run(
      ['publish', await w.makePackage('oob', '1.0.0'), '--sign', '--oauth-force-oob', '--oidc-issuer', issuer],
      {
        env: {},
        lines: async (prompt, printed) => {
          prompts.push(prompt);
          const url = /https?:\/\/\S+\/authorize\?\S+/.exec(printed())?.[0];
          assert.ok(url, printed());
          assert.match(url, /redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2\.0%3Aoob/);
          const page = await (await fetch(url)).text();
          return /<code id="code">([^<]+)<\/code>/.exec(page)?.[1];
        },
      },
    );
    assert.equal(published.code, 0, published.stderr);
    assert.match(
      published.stderr,
      new RegExp(`Sign in to ${issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in a browser anywhere`),
    );
    assert.deepEqual(prompts, ['  Then enter the verification code it shows: ']);
    assert.match(published.stdout, /Identity: /);
    const cancelled = await run(
      ['publish', await w.makePackage('oob2', '1.0.0'), '--sign', '--oauth-force-oob', '--oidc-issuer', issuer],
      { lines: async () => '' },
    );
    assert.equal(cancelled.code, 1);
    assert.match(cancelled.stderr, /no verification code was entered/);
  });

  it('info shows the checksum, every signature with its status and why, and the delegations used', async () => {
    const { w, run, a } = await setup('trusted_identities: ["alice@example.com"]');
    const alice = local.instance().mintToken('alice@example.com');
    assert.equal(
      (await run(['delegate', '@acme/*', '--to', a, '--until', '2099-01-01', '--identity-token', alice])).code,
      0,
    );
    assert.equal(
      (
        await run([
          'publish',
          await w.makePackage('@acme/tool', '1.0.0'),
          '--gpg-key',
          'a@example.com',
          '--gpg-key',
          'b@example.com',
        ])
      ).code,
      0,
    );
    await writeFile(join(w.registryDir, 'packages', 'acme--tool', 'versions', '1.0.0.aam.3.asc'), 'not a signature');
    const shown = await run(['info', '@acme/tool@1.0.0']);
    assert.equal(shown.code, 0, shown.stderr);
    const checksum = (await w.registry.resolve('@acme/tool')).entry.checksum;
    assert.match(
      shown.stdout,
      new RegExp(
        `^@acme/tool@1\\.0\\.0 \\(registry team\\)\\nChecksum: ${checksum}\\nSignatures:\\n  - Type: gpg\\n    Key: ${a} \\(Key A <a@example\\.com>\\)\\n    Issued: \\S+\\n    File: 1\\.0\\.0\\.aam\\.asc\\n    Status: Valid ✓ — delegated by alice@example\\.com for @acme/\\* until 2099-01-01, trusted by "alice@example\\.com"`,
      ),
    );
    assert.match(
      shown.stdout,
      /Key B <b@example\.com>\)\n    Issued: \S+\n    File: 1\.0\.0\.aam\.2\.asc\n    Status: Valid ✓ — not trusted by your policy/,
    );
    assert.match(
      shown.stdout,
      /File: 1\.0\.0\.aam\.3\.asc\n    Status: Invalid ✗ — the \.asc file is not an OpenPGP signature/,
    );
    assert.match(
      shown.stdout,
      /Delegations used:\n  - [0-9a-f]{12}: alice@example\.com \(issuer .*\) lets key [0-9A-F]{40} sign @acme\/\* until 2099-01-01T23:59:59\.999Z/,
    );
    assert.match(shown.stdout, /Verdict: verified \(VERIFIED\)/);
    // Installed, it is shown as it verifies from what was captured.
    assert.equal((await run(['install', '@acme/tool', '--no-deploy'])).code, 0);
    const json = JSON.parse((await run(['info', '@acme/tool', '--json'])).stdout) as {
      from: string;
      signatures: { standing: string; valid: boolean }[];
    };
    assert.equal(json.from, 'installed');
    assert.deepEqual(
      json.signatures.map((x) => `${x.standing}/${x.valid}`),
      ['delegated/true', 'untrusted/true', 'invalid/false'],
    );
    const usage = await run(['info']);
    assert.equal(usage.code, 2);
  });
});
