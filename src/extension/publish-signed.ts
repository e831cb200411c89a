import * as vscode from 'vscode';
import { dirname, join } from 'node:path';
import { AamError } from '../core/errors.ts';
import { loadConfig, assertUsablePolicy } from '../core/config/load.ts';
import type { LoadedConfig } from '../core/config/load.ts';
import { packDirectory } from '../core/package/pack.ts';
import type { PackedArchive } from '../core/package/pack.ts';
import { secretLookingFiles } from '../core/package/secret-files.ts';
import { formatSize, publishPackage, refuseHiddenIn } from '../core/workflows/publish.ts';
import { versionPath } from '../core/registry/http-api.ts';
import { LocalRegistry } from '../core/registry/local-registry.ts';
import { openRegistry } from '../core/registry/open.ts';
import type { RegistryContext } from '../core/registry/open.ts';
import { createSignatureVerifier } from '../core/signature/verifier.ts';
import { showError, showOutcome } from './errors.ts';
import { log } from './log.ts';
import type { TrustModel } from './model.ts';
import type { SigstoreSession } from './sigstore-session.ts';
import { chooseSigner, signingFor } from './signer-choice.ts';
import { exists } from '../core/fs/exists.ts';
import { visible } from '../core/messages/shown-text.ts';
import { notice } from './notification-text.ts';

const STEPS = { pack: 15, sign: 45, verify: 15, publish: 25 } as const;

/**
 * AAM: Publish Signed — pick the package folder, pack it, pick the registry
 * and the signing method, ask, sign in-process, and publish with the
 * signature stored beside the archive. The folder is packed once, before the
 * question: the bytes signed and uploaded are the ones the confirmation
 * described, whatever happens in the folder meanwhile (a sign-in can take
 * minutes). A cancellable notification shows the steps; the log gets the
 * transcript.
 */
export async function publishSigned(
  model: TrustModel,
  session: SigstoreSession,
  folder?: vscode.Uri,
  registries?: RegistryContext,
): Promise<void> {
  try {
    const packageDir = folder?.fsPath ?? (await pickPackageFolder());
    if (!packageDir) return;
    const packed = await packFolder(packageDir);
    const manifest = packed.manifest;
    const projectRoot = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(packageDir))?.uri.fsPath;
    const config = await loadConfig({
      homeDir: model.homeDir,
      projectDir: projectRoot,
      restricted: model.restricted,
      env: process.env,
    });
    assertUsablePolicy(config);
    // Refused before asking: a signature would vouch for text the signer may never have seen.
    await refuseHiddenIn(packed, config.security.hidden_content);
    const registry = await pickRegistry(config, registries);
    if (!registry) return;
    const label = `${manifest.name}@${manifest.version}`;
    // A publish that cannot happen is said now, not after signing.
    const refused = await registry.refusal(manifest.name, manifest.version, true);
    if (refused) throw refused;
    const chosen = await chooseSigner(config, model, session);
    if (!chosen) return;
    const { method, gpgKey, gpgHome, signer } = chosen;
    if (!(await confirmPublish(packageDir, packed, registry, method, signer))) return;
    const outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: notice('Publishing {0} to {1}', label, registry.name),
        cancellable: true,
      },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        const signing = await signingFor(method, config, session, token, gpgKey, gpgHome);
        log().info(`Publish Signed: ${label} → ${registry.name} (${method})`);
        return publishPackage({
          packed,
          registry,
          signing,
          verifier: createSignatureVerifier(config, model.homeDir),
          hiddenContent: config.security.hidden_content,
          signal: abort.signal,
          onLine: (line) => log().info(line),
          onWarning: (warning) => log().warn(warning),
          onStep: (step) => progress.report({ message: stepMessage(step, method), increment: STEPS[step] }),
        });
      },
    );
    void model.refresh();
    const reveal = vscode.l10n.t('Reveal in Registry');
    // Said as the CLI says it: published, or published and waiting for an approver (who).
    const choice = await showOutcome(outcome.message, reveal);
    if (choice === reveal) {
      if (registry instanceof LocalRegistry)
        await vscode.window.showTextDocument(
          vscode.Uri.file(join(registry.packageDir(outcome.name), 'metadata.yaml')),
          {
            preview: true,
          },
        );
      else
        await vscode.env.openExternal(
          vscode.Uri.parse(`${registry.location}${versionPath(outcome.name, outcome.version)}`),
        );
    }
  } catch (error) {
    await showError(error, {
      VERSION_EXISTS: [{ title: vscode.l10n.t('Open aam.yaml'), run: () => openManifest(folder) }],
      MANIFEST_INVALID: [{ title: vscode.l10n.t('Open aam.yaml'), run: () => openManifest(folder) }],
      KEY_NOT_FOUND: [
        { title: vscode.l10n.t('Open Trust Policy'), run: () => vscode.commands.executeCommand('aam.openTrustPolicy') },
      ],
      PASSPHRASE_WRONG: [
        { title: vscode.l10n.t('Try Again'), run: () => publishSigned(model, session, folder, registries) },
      ],
      SIGSTORE_SERVICE: [
        { title: vscode.l10n.t('Try Again'), run: () => publishSigned(model, session, folder, registries) },
      ],
      SIGNATURE_REQUIRED: [
        { title: vscode.l10n.t('Publish Signed'), run: () => publishSigned(model, session, folder, registries) },
      ],
      REGISTRY_NOT_FOUND: [
        { title: vscode.l10n.t('Open Trust Policy'), run: () => vscode.commands.executeCommand('aam.openTrustPolicy') },
      ],
    });
  }
}

function stepMessage(step: keyof typeof STEPS, method: 'sigstore' | 'gpg'): string {
  switch (step) {
    case 'pack':
      return vscode.l10n.t('Packing and computing the checksum…');
    case 'sign':
      return method === 'sigstore'
        ? vscode.l10n.t('Signing with Sigstore (sign in if asked)…')
        : vscode.l10n.t('Signing with GPG…');
    case 'verify':
      return vscode.l10n.t('Verifying the new signature…');
    case 'publish':
      return vscode.l10n.t('Publishing to the registry…');
  }
}

/**
 * The package to publish: the one folder with an aam.yaml in the workspace, or the one the user picks — the open
 * file's package first. Never chosen silently among several (a pull request can add a second aam.yaml, with the
 * project's name, beside the file being edited), nor from outside every workspace folder.
 */
async function pickPackageFolder(): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  let near: string | undefined;
  if (active?.scheme === 'file' && vscode.workspace.getWorkspaceFolder(active))
    for (let dir = dirname(active.fsPath); dir !== dirname(dir); dir = dirname(dir)) {
      if (await exists(join(dir, 'aam.yaml'))) {
        near = dir;
        break;
      }
      if (vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dir))?.uri.fsPath === dir) break;
    }
  const found = await vscode.workspace.findFiles('**/aam.yaml', '{**/node_modules/**,**/.aam/**}', 200);
  const dirs = [...new Set([...(near ? [near] : []), ...found.map((uri) => dirname(uri.fsPath))])];
  const browse = vscode.l10n.t('Browse…');
  const items = [
    ...dirs.map((dir) => ({
      label: vscode.workspace.asRelativePath(dir),
      description: dir === near ? vscode.l10n.t('aam.yaml · the open file’s package') : 'aam.yaml',
      dir,
    })),
    { label: browse, description: '', dir: '' },
  ];
  const picked =
    dirs.length === 1
      ? items[0]
      : await vscode.window.showQuickPick(items, {
          title: vscode.l10n.t('Publish which package? (the folder with aam.yaml)'),
        });
  if (!picked) return undefined;
  if (picked.label !== browse) return picked.dir;
  const chosen = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    openLabel: vscode.l10n.t('Publish this package'),
  });
  return chosen?.[0]?.fsPath;
}

/** The folder packed once, as it is now: what the confirmation describes is what is signed. */
async function packFolder(dir: string): Promise<PackedArchive> {
  if (!(await exists(join(dir, 'aam.yaml'))))
    throw new AamError('MANIFEST_INVALID', vscode.l10n.t('No aam.yaml found in {0}.', dir), {
      hint: vscode.l10n.t('Pick the folder that contains aam.yaml.'),
    });
  return packDirectory(dir);
}

/** The registry to publish to; its token from `registries` (VS Code's sign-in) when given. */
async function pickRegistry(config: LoadedConfig, registries: RegistryContext | undefined) {
  const entries = config.registries;
  if (entries.length === 0) {
    throw new AamError('REGISTRY_NOT_FOUND', vscode.l10n.t('No registry is configured.'), {
      hint: vscode.l10n.t('Add one under registries: in ~/.aam/config.yaml (name, url: file:///path, type: local).'),
    });
  }
  const ordered = [...entries].sort((a, b) => Number(b.default) - Number(a.default));
  const picked =
    ordered.length === 1
      ? ordered[0]
      : (
          await vscode.window.showQuickPick(
            ordered.map((r, i) => ({
              label: r.name,
              description: `${r.url}${i === 0 ? ` · ${vscode.l10n.t('default')}` : ''}`,
              entry: r,
            })),
            { title: vscode.l10n.t('Publish to which registry?') },
          )
        )?.entry;
  return picked ? openRegistry(picked, registries) : undefined;
}

/**
 * The one question before anything is signed: what goes where (the archive
 * already packed, by its checksum), signed how and by whom, and which packed
 * files look like secrets. A published version cannot be taken back.
 */
async function confirmPublish(
  folder: string,
  packed: PackedArchive,
  registry: { name: string; location: string },
  method: 'sigstore' | 'gpg',
  signer: string,
): Promise<boolean> {
  const { manifest } = packed;
  const go = vscode.l10n.t('Sign and Publish');
  const answer = await vscode.window.showWarningMessage(
    notice('Publish {0}@{1} to {2}?', manifest.name, manifest.version, registry.name),
    {
      modal: true,
      detail: [
        vscode.l10n.t('Package: {0}', manifest.name),
        vscode.l10n.t('Version: {0}', manifest.version),
        vscode.l10n.t('Folder: {0}', visible(vscode.workspace.asRelativePath(folder))),
        vscode.l10n.t('Files: {0} ({1})', String(packed.files.length), formatSize(packed.bytes.length)),
        ...topEntries(packed),
        vscode.l10n.t('Checksum: {0}', packed.checksum),
        vscode.l10n.t('Registry: {0} ({1})', registry.name, registry.location),
        vscode.l10n.t('Method: {0}', method === 'sigstore' ? vscode.l10n.t('Sigstore (keyless)') : 'GPG'),
        vscode.l10n.t('Signer: {0}', signer),
        ...secretsWarning(packed),
        '',
        vscode.l10n.t('A published version cannot be replaced or taken back.'),
      ].join('\n'),
    },
    go,
  );
  return answer === go;
}

/** What the archive holds at its top, a line each (the first 20): the folder packed, as the user knows it. */
function topEntries(packed: PackedArchive): string[] {
  const top = [...new Set(packed.files.map((f) => f.path.split('/')[0]! + (f.path.includes('/') ? '/' : '')))];
  const shown = top.slice(0, 20).map((entry) => `  ${visible(entry)}`);
  return top.length > 20 ? [...shown, `  ${vscode.l10n.t('and {0} more', top.length - 20)}`] : shown;
}

/** Packed files that look like secrets (every file is packed, dotfiles too), named before anything is signed. */
function secretsWarning(packed: PackedArchive): string[] {
  const secrets = secretLookingFiles(packed.files.map((f) => f.path));
  if (secrets.length === 0) return [];
  const shown = secrets.slice(0, 10).map((path) => `  ${path}`);
  if (secrets.length > 10) shown.push(`  ${vscode.l10n.t('and {0} more', String(secrets.length - 10))}`);
  return [
    '',
    vscode.l10n.t('⚠ These packed files look like secrets and will be published with the package:'),
    ...shown,
    vscode.l10n.t('Move them out of the package folder unless they are meant to be public.'),
  ];
}

async function openManifest(folder: vscode.Uri | undefined): Promise<void> {
  const manifests = folder
    ? [vscode.Uri.joinPath(folder, 'aam.yaml')]
    : await vscode.workspace.findFiles('**/aam.yaml', '**/.aam/**', 1);
  if (manifests[0]) await vscode.window.showTextDocument(manifests[0]);
}
