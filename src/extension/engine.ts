import type { formatDiagnostic } from '../core/config/diagnostics.ts';
import type { blockingDiagnostics, loadConfig } from '../core/config/load.ts';
import type { verificationServices } from '../core/verify/services.ts';
import type { verifyWorkspace } from '../core/verify/workspace.ts';

/**
 * What the model needs of the verification engine (YAML, JSON Schema,
 * Sigstore, OpenPGP): a bundle of its own, loaded after activation and
 * handed to the model, which never loads it itself.
 */
export interface Engine {
  loadConfig: typeof loadConfig;
  blockingDiagnostics: typeof blockingDiagnostics;
  formatDiagnostic: typeof formatDiagnostic;
  verificationServices: typeof verificationServices;
  verifyWorkspace: typeof verifyWorkspace;
}

export type EngineLoader = () => Promise<Engine>;
