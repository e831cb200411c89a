import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalSigstore } from '../dev/local-sigstore/instance.ts';
import { startCodeServer } from '../scripts/code-server.ts';
import { ensureGnupg } from '../scripts/tools.ts';
import { buildDemoWorld } from './world.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `npm start`: a local Sigstore instance, a demo home/registry/workspace with
 * packages in every state, and a real VS Code (code-server) on
 * http://127.0.0.1:$PORT with AAM Trust installed.
 */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 8080);
  // The demo's keys and signatures are real GnuPG ones.
  await ensureGnupg();
  const sigstore = await LocalSigstore.start({ port: Number(process.env.SIGSTORE_PORT ?? 0) });
  process.stderr.write(`[aam-trust] Local Sigstore instance (Fulcio, Rekor, TSA, OIDC issuer) at ${sigstore.url}\n`);
  const world = await buildDemoWorld(join(REPO, '.demo'), sigstore);
  process.stderr.write(
    `[aam-trust] Demo workspace ${world.workspace}, file registry ${world.registry}, HTTP registry ${world.httpRegistry.url}\n`,
  );
  const codeServer = await startCodeServer({ folder: world.workspace, home: world.home, port, trusted: true });
  // gpg started an agent for the demo's GnuPG home; it goes with the demo.
  const stopGnupg = () =>
    spawnSync('gpgconf', ['--homedir', world.gnupgHome, '--kill', 'all'], { stdio: 'ignore', timeout: 5_000 });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('\n[aam-trust] Stopping the demo…\n');
    await codeServer.stop();
    await world.stop();
    await sigstore.close();
    stopGnupg();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  codeServer.process.on('exit', (code) => {
    // Ctrl+C reaches code-server too: its exit then is the stop asked for, not a failure to report.
    if (stopping) return;
    process.stderr.write(`[aam-trust] code-server exited (${code}).\n${codeServer.output().slice(-2000)}\n`);
    void Promise.all([world.stop(), sigstore.close()]).then(() => {
      stopGnupg();
      process.exit(1);
    });
  });
  process.stdout.write(`
  AAM Trust demo is running.

  Open ${codeServer.folderUrl}

  - AAM view (activity bar): ${Object.keys(world.expected).length} installed packages in every state.
  - .aam/aam-lock.yaml: hover the untrusted package; try the quick fix "Trust this signer".
  - Command palette: "AAM: Publish Signed" on packages/demo--my-skill (Sigstore signs in
    through the local OIDC issuer in a new tab; GPG uses the demo release key).
  - For organizations: "AAM: Open Trust Policy" → pick a trust level (Minimal … Maximum) and
    see what would fail before applying it; "AAM: Show Compliance Report" for the charts;
    @community/hotfix was installed with --no-verify and says so.

  The same verdicts from the CLI (the demo has its own home folder, with its policy and keys):

    HOME=${world.home} ${join(REPO, 'node_modules', '.bin', 'node')} ${join(REPO, 'dist', 'cli.js')} verify --project ${world.workspace}

  The compliance report, the trust level, and the team registry's report:

    HOME=${world.home} ${join(REPO, 'node_modules', '.bin', 'node')} ${join(REPO, 'dist', 'cli.js')} report --project ${world.workspace} --format html --output report.html
    HOME=${world.home} ${join(REPO, 'node_modules', '.bin', 'node')} ${join(REPO, 'dist', 'cli.js')} policy level strict --project ${world.workspace}
    HOME=${world.home} ${join(REPO, 'node_modules', '.bin', 'node')} ${join(REPO, 'dist', 'cli.js')} report --registry team --project ${world.workspace}

  Press Ctrl+C to stop.
`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[aam-trust] The demo could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
