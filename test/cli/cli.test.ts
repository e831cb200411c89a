import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { access, appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleToJSON } from '@sigstore/bundle';
import { MessageSignatureBundleBuilder, RekorWitness } from '@sigstore/sign';
import { cli } from '../helpers/cli.ts';
import { makeWorld } from '../helpers/workspace.ts';
import { useLocalSigstore } from '../helpers/sigstore.ts';

const NODE = process.execPath;
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

/** Runs the built CLI as a separate process, as CI would. */
async function aamTrust(
  args: string[],
  options: { cwd: string; home: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(NODE, [CLI, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, HOME: options.home },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('aam-trust policy', () => {
  it('check prints FILE:LINE:COL: SEVERITY CODE: MESSAGE and exits 1 on errors', async () => {
    const w = await makeWorld();
    const file = join(w.root, 'config.yaml');
    await writeFile(file, 'security:\n  requre_signature: true\n  on_signature_failure: warn\n');
    const result = await cli(['policy', 'check', file], { cwd: w.root, home: w.home });
    assert.equal(result.code, 1);
    assert.equal(
      result.stdout.split('\n')[0],
      `${file}:2:3: error UNKNOWN_KEY: Unknown key "requre_signature" in security. Did you mean "require_signature"? An unknown security key has no effect, so the policy may be weaker than intended.`,
    );
  });
  it('check --json prints an array of objects with 1-based line and column', async () => {
    const w = await makeWorld();
    const file = join(w.root, 'config.yaml');
    await writeFile(file, '# x\nsecurity:\n  trusted_keys: [ABCD1234]\n');
    const result = await cli(['policy', 'check', '--json', file], { cwd: w.root, home: w.home });
    assert.equal(result.code, 1);
    assert.deepEqual(JSON.parse(result.stdout), [
      {
        file,
        line: 3,
        column: 18,
        severity: 'error',
        code: 'INVALID_VALUE',
        message:
          'security.trusted_keys[0] must be a full 40-hex-digit OpenPGP fingerprint (short key ids can be forged).',
      },
    ]);
  });
  it('check exits 0 for valid files and 2 on bad usage', async () => {
    const w = await makeWorld();
    assert.equal((await cli(['policy', 'check'], { cwd: w.project, home: w.home })).code, 0);
    assert.equal((await cli(['policy', 'check', '--bogus'], { cwd: w.project, home: w.home })).code, 2);
    assert.equal((await cli(['verify', '--nope'], { cwd: w.project, home: w.home })).code, 2);
    assert.equal((await cli(['frobnicate'], { cwd: w.project, home: w.home })).code, 2);
  });
  it("says what was wrong with an option in its own words, never Node's parser text", async () => {
    const w = await makeWorld();
    const unknown = await cli(['verify', '--nope'], { cwd: w.project, home: w.home });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /"aam-trust verify" has no option --nope \(its options: --project, --json/);
    assert.match(unknown.stderr, /Run "aam-trust verify --help" for usage/);
    assert.doesNotMatch(unknown.stderr, /positional argument|place it at the end/);
    const missing = await cli(['verify', '--project'], { cwd: w.project, home: w.home });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /The option --project needs a value, as in --project VALUE/);
    const extra = await cli(['verify', '--json=yes'], { cwd: w.project, home: w.home });
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /The option --json takes no value/);
  });
  it('show prints each value with the file it came from, and flags weakening project settings', async () => {
    const w = await makeWorld();
    await w.writeGlobalConfig('on_signature_failure: error');
    await w.writeProjectConfig('security:\n  on_signature_failure: warn\n  require_signature: true\n');
    const result = await cli(['policy', 'show', '--json'], { cwd: w.project, home: w.home });
    const shown = JSON.parse(result.stdout) as {
      settings: { key: string; value: unknown; source: string }[];
      findings: { message: string }[];
    };
    const row = (key: string) => shown.settings.find((s) => s.key === key);
    assert.deepEqual(row('on_signature_failure'), {
      key: 'on_signature_failure',
      value: 'warn',
      source: join(w.project, '.aam', 'config.yaml'),
    });
    assert.deepEqual(row('verify_transparency_log'), {
      key: 'verify_transparency_log',
      value: true,
      source: 'default',
    });
    assert.match(shown.findings[0]!.message, /lowers on_signature_failure from error to warn/);
    const restricted = JSON.parse(
      (await cli(['policy', 'show', '--json', '--restricted'], { cwd: w.project, home: w.home })).stdout,
    ) as typeof shown;
    assert.equal(restricted.settings.find((s) => s.key === 'on_signature_failure')?.value, 'error');
    assert.equal(restricted.settings.find((s) => s.key === 'require_signature')?.value, true);
  });
});

describe('aam-trust publish → install → verify, as separate processes', () => {
  const local = useLocalSigstore();
  before(async () =>
    access(CLI).catch(() => assert.fail('dist/cli.js is missing: run "npm run build" first (npm test does)')),
  );

  it('works end to end, and verify exits 1 once an installed file is tampered', async () => {
    const w = await makeWorld();
    const root = join(w.root, 'trusted_root.json');
    await writeFile(root, JSON.stringify(local.instance().trustedRoot()));
    await w.writeGlobalConfig(
      `sigstore_endpoint: ${local.instance().url}\nsigstore_trusted_root: ${root}\ntrusted_identities: ["*@example.com"]\non_signature_failure: error`,
    );
    const pkg = await w.makePackage('@author/my-package', '1.0.0');
    const published = await aamTrust(
      ['publish', pkg, '--sign', '--identity-token', local.instance().mintToken('author@example.com')],
      { cwd: w.project, home: w.home },
    );
    assert.equal(published.code, 0, published.stderr);
    for (const line of [
      'Signing package with Sigstore...',
      '→ Authenticated as: author@example.com',
      '→ Package signed successfully',
      '  Identity: author@example.com',
      '✓ Published @author/my-package@1.0.0',
    ]) {
      assert.ok(published.stdout.includes(line), `missing "${line}" in:\n${published.stdout}`);
    }
    const installed = await aamTrust(['install', '@author/my-package'], { cwd: w.project, home: w.home });
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(installed.stdout, /✓ @author\/my-package@1.0.0 {2}verified/);
    const verified = await aamTrust(['verify', '--json'], { cwd: w.project, home: w.home });
    assert.equal(verified.code, 0, verified.stderr);
    const { summary } = JSON.parse(verified.stdout);
    assert.deepEqual(
      [summary.total, summary.failed, summary.warnings, summary.counts.verified, summary.line],
      [1, 0, 0, 1, '1 package: 1 verified'],
    );
    await appendFile(join(w.project, '.aam', 'packages', 'author--my-package', 'prompts', 'hello.md'), 'tampered');
    const failed = await aamTrust(['verify'], { cwd: w.project, home: w.home });
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /✗ @author\/my-package@1.0.0 {2}tampered/);
    assert.match(failed.stdout, /expected: prompts\/hello.md: [0-9a-f]{64}/);
  });

  it('signs through a signing config with a timestamp authority in the bundled CLI', async () => {
    const w = await makeWorld();
    const root = join(w.root, 'trusted_root.json');
    const config = join(w.root, 'signing_config.json');
    await writeFile(root, JSON.stringify(local.instance().trustedRoot()));
    await writeFile(config, JSON.stringify(local.instance().signingConfig({ tsa: true })));
    await w.writeGlobalConfig(`sigstore_trusted_root: ${root}\ntrusted_identities: ["*@example.com"]`);
    const published = await aamTrust(
      [
        'publish',
        await w.makePackage('stamped', '1.0.0'),
        '--sign',
        '--signing-config',
        config,
        '--identity-token',
        local.instance().mintToken('author@example.com'),
      ],
      { cwd: w.project, home: w.home },
    );
    assert.equal(published.code, 0, published.stderr);
    assert.ok(
      local.instance().requests.some((r) => r.service === 'tsa'),
      'the TSA was asked for a timestamp',
    );
    const bundle = JSON.parse(await readFile(`${w.registry.archivePath('stamped', '1.0.0')}.sigstore.json`, 'utf8'));
    assert.equal(bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps.length, 1);
  });

  it('verify NAME exits 2 naming a package that is not installed, a typo of one, or not a package name', async () => {
    const w = await makeWorld();
    await aamTrust(['publish', await w.makePackage('@demo/code-review', '1.0.0')], { cwd: w.project, home: w.home });
    assert.equal((await aamTrust(['install', '@demo/code-review'], { cwd: w.project, home: w.home })).code, 0);
    const typo = await aamTrust(['verify', '@demo/code-revew'], { cwd: w.project, home: w.home });
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /@demo\/code-revew is not installed/);
    assert.match(typo.stderr, /Did you mean @demo\/code-review\?/);
    const missing = await aamTrust(['verify', '--json', '@acme/not-installed'], { cwd: w.project, home: w.home });
    assert.equal(missing.code, 2);
    assert.deepEqual(JSON.parse(missing.stdout).error.names, ['@acme/not-installed']);
    const path = await aamTrust(['verify', '../../../../etc/passwd'], { cwd: w.project, home: w.home });
    assert.equal(path.code, 2);
    assert.match(path.stderr, /"..\/..\/..\/..\/etc\/passwd" is not a valid package name/);
    assert.equal((await aamTrust(['verify', '@demo/code-review'], { cwd: w.project, home: w.home })).code, 0);
  });

  it('stops quietly when its reader closes the pipe early', async () => {
    const w = await makeWorld();
    for (const name of ['a', 'b', 'c'])
      await aamTrust(['publish', await w.makePackage(name, '1.0.0')], { cwd: w.project, home: w.home });
    await aamTrust(['install', 'a', 'b', 'c'], { cwd: w.project, home: w.home });
    for (const command of ['verify', 'policy show']) {
      const { stdout, stderr } = await promisify(execFile)('sh', ['-c', `"${NODE}" "${CLI}" ${command} | head -1`], {
        cwd: w.project,
        env: { PATH: process.env.PATH, HOME: w.home },
      });
      assert.equal(stdout.split('\n').filter(Boolean).length, 1);
      assert.equal(stderr, '', `${command}: ${stderr}`);
    }
  });

  it('never exits 0 when its reader goes before the verdict: a pipeline under pipefail fails', async () => {
    const w = await makeWorld();
    const names = Array.from({ length: 12 }, (_, i) => `p${i}`);
    for (const name of names)
      await aamTrust(['publish', await w.makePackage(name, '1.0.0')], { cwd: w.project, home: w.home });
    await aamTrust(['install', ...names], { cwd: w.project, home: w.home });
    await w.writeProjectConfig('security:\n  require_signature: true\n  on_signature_failure: error\n');
    const pipeline = (script: string) =>
      promisify(execFile)('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
        cwd: w.project,
        env: { PATH: process.env.PATH, HOME: w.home },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
    // `true` reads nothing and is gone before Node has started: the first write meets a closed pipe.
    for (const command of ['verify', 'verify --json']) {
      const run = await pipeline(`"${NODE}" "${CLI}" ${command} | true; exit "\${PIPESTATUS[0]}"`);
      assert.equal(run.code, 141, `${command}: exits as a process killed by SIGPIPE (${run.stderr})`);
      assert.equal(run.stderr, '', `${command}: quietly`);
    }
    const control = await pipeline(`"${NODE}" "${CLI}" verify > /dev/null`);
    assert.equal(control.code, 1, 'the verification fails: every package is unsigned');
  });

  it('refuses to publish twice, and unsigned to a registry that requires signatures', async () => {
    const w = await makeWorld({ requireSignatures: true });
    const pkg = await w.makePackage('hello', '1.0.0');
    const unsigned = await cli(['publish', pkg], { cwd: w.project, home: w.home });
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.stderr, /Error: Package must be signed. Use --sign./);
  });
});

describe('sigstore-conformance CLI protocol', () => {
  const local = useLocalSigstore();
  let dir: string;
  let root: string;
  let signingConfig: string;
  let artifact: string;
  const bytes = Buffer.from('conformance artifact\n');
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  before(async () => {
    dir = (await makeWorld()).root;
    root = join(dir, 'trusted_root.json');
    signingConfig = join(dir, 'signing_config.json');
    artifact = join(dir, 'artifact.txt');
    await writeFile(root, JSON.stringify(local.instance().trustedRoot()));
    await writeFile(signingConfig, JSON.stringify(local.instance().signingConfig()));
    await writeFile(artifact, bytes);
  });
  const run = (args: string[]) => cli(args, { cwd: dir, home: dir });

  it('sign-bundle then verify-bundle, with the file and with its sha256 digest', async () => {
    const bundle = join(dir, 'message.sigstore.json');
    const signed = await run([
      'sign-bundle',
      '--identity-token',
      local.instance().mintToken('alice@example.com'),
      '--bundle',
      bundle,
      '--trusted-root',
      root,
      '--signing-config',
      signingConfig,
      artifact,
    ]);
    assert.equal(signed.code, 0, signed.stderr);
    const issuer = local.instance().oidcIssuer;
    for (const input of [artifact, digest]) {
      const ok = await run([
        'verify-bundle',
        '--bundle',
        bundle,
        '--certificate-identity',
        'alice@example.com',
        '--certificate-oidc-issuer',
        issuer,
        '--trusted-root',
        root,
        input,
      ]);
      assert.equal(ok.code, 0, `${input}: ${ok.stderr}`);
    }
    const wrongDigest = `sha256:${'0'.repeat(64)}`;
    for (const args of [
      [
        '--certificate-identity',
        'bob@example.com',
        '--certificate-oidc-issuer',
        issuer,
        '--trusted-root',
        root,
        artifact,
      ],
      [
        '--certificate-identity',
        'alice@example.com',
        '--certificate-oidc-issuer',
        'https://accounts.google.com',
        '--trusted-root',
        root,
        artifact,
      ],
      [
        '--certificate-identity',
        'alice@example.com',
        '--certificate-oidc-issuer',
        issuer,
        '--trusted-root',
        root,
        wrongDigest,
      ],
      ['--certificate-identity', 'alice@example.com', '--certificate-oidc-issuer', issuer, artifact],
    ]) {
      const rejected = await run(['verify-bundle', '--bundle', bundle, ...args]);
      assert.equal(rejected.code, 1, `should reject: ${args.join(' ')}`);
    }
  });

  it('signs an in-toto statement as DSSE and verifies it against a subject', async () => {
    const statement = join(dir, 'statement.json');
    await writeFile(
      statement,
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'artifact.txt', digest: { sha256: digest.slice(7) } }],
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: {},
      }),
    );
    const bundle = join(dir, 'dsse.sigstore.json');
    assert.equal(
      (
        await run([
          'sign-bundle',
          '--in-toto',
          '--identity-token',
          local.instance().mintToken('alice@example.com'),
          '--bundle',
          bundle,
          '--signing-config',
          signingConfig,
          statement,
        ])
      ).code,
      0,
    );
    const base = [
      'verify-bundle',
      '--bundle',
      bundle,
      '--certificate-identity',
      'alice@example.com',
      '--certificate-oidc-issuer',
      local.instance().oidcIssuer,
      '--trusted-root',
      root,
    ];
    assert.equal((await run([...base, artifact])).code, 0);
    assert.equal((await run([...base, digest])).code, 0);
    assert.equal((await run([...base, `sha256:${'1'.repeat(64)}`])).code, 1);
  });

  it('verifies a managed-key bundle with --key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const builder = new MessageSignatureBundleBuilder({
      signer: {
        sign: async (data: Buffer) => ({
          signature: cryptoSign('sha256', data, privateKey),
          key: { $case: 'publicKey' as const, publicKey: pem, hint: 'managed' },
        }),
      },
      witnesses: [new RekorWitness({ rekorBaseURL: local.instance().url })],
    });
    const bundle = join(dir, 'managed.sigstore.json');
    await writeFile(bundle, JSON.stringify(bundleToJSON(await builder.create({ data: bytes }))));
    const keyFile = join(dir, 'key.pub');
    await writeFile(keyFile, pem);
    assert.equal(
      (await run(['verify-bundle', '--bundle', bundle, '--key', keyFile, '--trusted-root', root, artifact])).code,
      0,
    );
    const other = join(dir, 'other.pub');
    await mkdir(dir, { recursive: true });
    await writeFile(
      other,
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    );
    assert.equal(
      (await run(['verify-bundle', '--bundle', bundle, '--key', other, '--trusted-root', root, artifact])).code,
      1,
    );
  });

  it('rejects a usage error with exit 2', async () => {
    assert.equal((await run(['verify-bundle', '--bundle', 'x', artifact])).code, 2);
  });
});
