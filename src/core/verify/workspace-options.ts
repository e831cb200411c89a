import type { LoadedConfig } from '../config/load.ts';
import type { WorkspacePaths } from '../lockfile/lockfile.ts';
import type { SignatureVerifier } from '../signature/verifier.ts';
import type { VerifiedLedger } from './cached-verification.ts';
import type { EvidenceCache } from './evidence/evidence-cache.ts';
import type { ChangeWatch } from './store/change-watch.ts';
import type { VerificationStore } from './store/result-store.ts';
import type { LockRead } from './store/reuse.ts';

/** What `verifyWorkspace` is asked: the workspace, its policy and verifier, and how to reuse and report. */
export interface VerifyWorkspaceOptions {
  workspace: WorkspacePaths;
  config: LoadedConfig;
  verifier: SignatureVerifier;
  cache: EvidenceCache;
  /** Use only the evidence cache; never read a registry. */
  offline?: boolean;
  only?: readonly string[];
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Earlier results: a package whose files, lock entry and trust material are unchanged is not verified again. */
  store?: VerificationStore;
  /**
   * A long-running host's file watcher: a stored result it vouches for is reused without a stat
   * sweep (see ChangeWatch). Not consulted with `force`.
   */
  watch?: ChangeWatch;
  /** Verify everything from scratch, trusting no earlier result or file stamp (the results are still stored). */
  force?: boolean;
  /** Worker threads to use at most, besides this thread (default: one per core but one; 0: this thread only). */
  workers?: number;
  /** Told when worker threads could not be used, or results could not be stored. */
  onNotice?: (message: string) => void;
  /** The user's home, where Codex keeps deployed skills and prompts (default: the process's). */
  homeDir?: string;
  /**
   * Record what is seen for the first time (trust on first use), and new versions by the same
   * signer, in .aam/trust-record.yaml. Never in Restricted Mode: an untrusted change may not
   * teach the record whom to expect.
   */
  recordSigners?: boolean;
  /** Where passing verifications are remembered (with when), for `useCachedVerification`. */
  ledger?: VerifiedLedger;
  /** A package whose evidence cannot be reached now is judged by this machine's earlier verification of it. */
  useCachedVerification?: boolean;
  /** The lock file as the caller already read it (`readLock`), so it is not parsed twice. */
  lockRead?: LockRead;
}
