/**
 * The floor: the least work anyone verifying these packages must do, with
 * node:crypto and the fewest other means — every check verification makes,
 * nothing else. Per package (floor/files.ts, then floor/sigstore.ts or
 * floor/pgp.ts):
 *   1. read the archive; its SHA-256 is the lock file's checksum;
 *   2. list the version's folder (the signatures beside the archive); read the
 *      signature file; its SHA-256 is the digest captured at install;
 *   3. inflate and untar the archive; every entry's SHA-256 is the lock file's
 *      `file_checksums` (a dotted path may be left out), and none is missing;
 *   4. its aam.yaml names the package and version;
 *   5. scan every text file of the archive (what agents load) for hidden
 *      content: one pass that rules out plain text, the engine's scanner for
 *      the rest (floor/files.ts says why);
 *   6. walk the installed folder: every file is the archive's, none missing;
 *   7. read every deployed copy where its platform is (a folder that exists, or
 *      the trust record's platforms): there, and the bytes it must hold;
 *   8. the signature: Sigstore — the certificate's CA signature and validity
 *      at the log's time, its SCT, the log's signed entry timestamp, the
 *      checkpoint's signature and the Merkle inclusion path, the log entry's
 *      body against the bundle's signature and digest, the signer's identity
 *      against the trusted identities and the trust record, the signature over
 *      the archive; OpenPGP — the issuer is a trusted key (the trust record's
 *      if it names one), the hash over archive and trailer with its quick-check
 *      bytes, and the Ed25519 check.
 * Per run: whether each platform's folder exists (once), and the deployed
 * places decided with all packages: a copy holding another package's
 * same-named artifact is a collision (reported), any other difference fails.
 *
 * Two modes, each timed from "go" to the verdicts:
 *   prepared  everything parsed before the clock (lock file, trust record,
 *             trusted root or key, bundles and signatures, manifests and
 *             where their copies go): the checks alone;
 *   reading   reading and parsing run inside the clock too, with the least
 *             means: the lock file and trust record with the project's own
 *             YAML reader (node has none, and these are the project's YAML
 *             formats: any reader of them is a YAML reader), each bundle with
 *             JSON.parse and base64, its certificate with the fast path's
 *             strict DER reader (node's X509Certificate does not give the
 *             signed parts an SCT and a chain check need), each OpenPGP
 *             signature with the fast path's packet reader, the trusted root
 *             with JSON.parse once a thread, the trusted key with one
 *             `gpg --export` and openpgp.js once a run, each manifest with the
 *             project's manifest reader and deploy rules. The config (whom
 *             to trust) is read before the clock in both, as the engine's
 *             bench loads it before its own (bench/verify.ts).
 *
 * On one thread, or split over THREADS worker threads that each take the next
 * package as they finish one (so a thread the machine's other work slows
 * does not hold the rest up); the clock runs from "go" to the last verdict,
 * with every thread booted (and, prepared, holding a copy of the operands).
 *
 * Run as its own process: node bench/floor.ts sigstore|gpg WORLD RUNS [THREADS] [prepared|reading]
 * Prints { times, threads, mode, failures, hidden, deployedMismatches }: the
 * packages that fail and why (the last run's), those whose archive holds
 * hidden content, and those whose deployed copy holds something else.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { parseLockText } from '../src/core/lockfile/lockfile.ts';
import { parseTrustRecordText } from '../src/core/record/trust-record.ts';
import type { TrustRecord } from '../src/core/record/trust-record.ts';
import { SIGNATURE_SUFFIX } from '../src/core/registry/layout.ts';
import { buildFastTrust } from '../src/core/sigstore/fast/trust.ts';
import type { FastTrust } from '../src/core/sigstore/fast/trust.ts';
import { parseYamlMapping } from '../src/core/yaml/io.ts';
import { checkFiles, decidePlaces, fileOperands, prepareDeployed, presentRoots } from './floor/files.ts';
import type { FileOperands, FloorVerdict } from './floor/files.ts';
import { checkPgp, keyObjects, pgpOperands, trustedKeys } from './floor/pgp.ts';
import type { PgpOperands, TrustedKeys } from './floor/pgp.ts';
import { checkSigstore, sigstoreOperands } from './floor/sigstore.ts';
import type { BundleJson, SigstoreOperands } from './floor/sigstore.ts';

type Kind = 'sigstore' | 'gpg';
type Mode = 'prepared' | 'reading';

/** One package's work: its file operands, whom the trust record names, and (prepared) its signature's operands or why it has none. */
interface Job {
  files: FileOperands;
  recorded: string | undefined;
  signature?: SigstoreOperands | PgpOperands | string;
}

/** What a pass needs besides the jobs: whom to trust, read from the config before the clock. */
interface Setting {
  kind: Kind;
  world: string;
  trusted: RegExp;
  gpg: { home: string; fingerprint: string } | undefined;
}

/** What a pass was handed: the jobs, and the trusted root or keys (prepared: made before the clock). */
interface Handed {
  jobs: Job[];
  trust: FastTrust | undefined;
  keys: TrustedKeys | undefined;
}

function setting(kind: Kind, world: string): Setting {
  const config = parseYamlMapping(
    readFileSync(join(world, 'home', '.aam', 'config.yaml'), 'utf8'),
    'config',
    'CONFIG_INVALID',
  );
  const security = (config.security ?? {}) as {
    trusted_identities?: string[];
    trusted_keys?: string[];
    gpg_home?: string;
  };
  const glob = (pattern: string) => pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  const trusted = new RegExp(`^(?:${(security.trusted_identities ?? []).map(glob).join('|') || '(?!)'})$`);
  const fingerprint = security.trusted_keys?.[0];
  return {
    kind,
    world,
    trusted,
    gpg:
      kind === 'gpg'
        ? { home: security.gpg_home ?? join(world, 'home', '.gnupg'), fingerprint: fingerprint! }
        : undefined,
  };
}

const trustedRootOf = (world: string) =>
  buildFastTrust(JSON.parse(readFileSync(join(world, 'home', '.aam', 'trusted_root.json'), 'utf8')));

/** The run's reading: lock file and trust record into jobs, and the trusted key (OpenPGP). */
async function readRun(s: Setting): Promise<{ jobs: Job[]; keys: TrustedKeys | undefined }> {
  const aam = join(s.world, 'project', '.aam');
  const lock = parseLockText(readFileSync(join(aam, 'aam-lock.yaml'), 'utf8'), 'aam-lock.yaml');
  let record: TrustRecord['packages'] = {};
  try {
    record = parseTrustRecordText(readFileSync(join(aam, 'trust-record.yaml'), 'utf8'), 'trust-record.yaml').packages;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const jobs = Object.entries(lock.packages).map(([name, entry]): Job => {
    const was = record[name];
    const signer = was?.signature;
    return {
      files: fileOperands(s.world, name, entry, SIGNATURE_SUFFIX[s.kind], was?.platforms ?? []),
      recorded: signer ? (signer.type === 'gpg' ? signer.fingerprint : signer.identity) : undefined,
    };
  });
  const keys = s.gpg ? await trustedKeys(s.gpg.home, s.gpg.fingerprint) : undefined;
  return { jobs, keys };
}

/** Everything parsed before the clock: the prepared floor's operands. */
async function prepare(s: Setting): Promise<Handed> {
  const { jobs, keys } = await readRun(s);
  const trust = s.kind === 'sigstore' ? trustedRootOf(s.world) : undefined;
  for (const job of jobs) {
    try {
      job.files = prepareDeployed(job.files);
    } catch {
      // An archive that cannot be read has no copies to work out: its checks fail first.
    }
    try {
      const bytes = readFileSync(job.files.signature);
      job.signature =
        s.kind === 'gpg'
          ? pgpOperands(bytes)
          : sigstoreOperands(JSON.parse(bytes.toString('utf8')) as BundleJson, trust!);
    } catch (error) {
      job.signature = `signature: unreadable (${(error as Error).message})`;
    }
  }
  return { jobs, trust, keys };
}

/** One pass over the jobs `next()` hands out; the verdicts of those it checked. */
function pass(s: Setting, handed: Handed, next: () => number): FloorVerdict[] {
  const trust = s.kind === 'sigstore' ? (handed.trust ?? trustedRootOf(s.world)) : undefined;
  const keys = handed.keys && keyObjects(handed.keys);
  const present = presentRoots();
  const verdicts: FloorVerdict[] = [];
  for (let i = next(); i < handed.jobs.length; i = next()) {
    const job = handed.jobs[i]!;
    const { archive, signature, verdict } = checkFiles(job.files, present);
    verdicts.push(verdict);
    if (!archive || verdict.failure) continue;
    try {
      const operands =
        job.signature ??
        (s.kind === 'gpg'
          ? pgpOperands(signature!)
          : sigstoreOperands(JSON.parse(signature!.toString('utf8')) as BundleJson, trust!));
      if (typeof operands === 'string') verdict.failure = operands;
      else
        verdict.failure =
          s.kind === 'gpg'
            ? checkPgp(operands as PgpOperands, archive, keys!, job.recorded)
            : checkSigstore(
                operands as SigstoreOperands,
                archive,
                { trusted: s.trusted, recorded: job.recorded },
                job.files.archiveSha256,
              );
    } catch (error) {
      verdict.failure = `signature: unreadable (${(error as Error).message})`;
    }
  }
  return verdicts;
}

interface Result {
  times: number[];
  threads: number;
  mode: Mode;
  /** The packages that fail, and the first check each failed (the last run's). */
  failures: Record<string, string>;
  /** The packages whose archive holds hidden content (a finding the policy weighs: warn by default). */
  hidden: string[];
  /** The packages whose deployed copy holds something else: a collision's loser, or an edit. */
  deployedMismatches: string[];
}

/** The per-run work after the packages: the places decided with all of them, and the figures. */
function conclude(verdicts: FloorVerdict[]): Omit<Result, 'times' | 'threads' | 'mode'> {
  decidePlaces(verdicts);
  const failures: Record<string, string> = {};
  for (const v of verdicts.sort((a, b) => (a.name < b.name ? -1 : 1))) if (v.failure) failures[v.name] = v.failure;
  return {
    failures,
    hidden: verdicts.filter((v) => v.hidden.length > 0).map((v) => v.name),
    deployedMismatches: verdicts.filter((v) => v.mismatched.length > 0).map((v) => v.name),
  };
}

async function oneThread(s: Setting, mode: Mode, runs: number): Promise<Result> {
  const prepared = mode === 'prepared' ? await prepare(s) : undefined;
  const times: number[] = [];
  let last: ReturnType<typeof conclude> | undefined;
  for (let r = 0; r < runs; r++) {
    let i = 0;
    const started = performance.now();
    const handed = prepared ?? { ...(await readRun(s)), trust: undefined };
    last = conclude(pass(s, handed, () => i++));
    times.push(performance.now() - started);
  }
  return { times, threads: 1, mode, ...last! };
}

async function threads(s: Setting, mode: Mode, runs: number, count: number): Promise<Result> {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const prepared = mode === 'prepared' ? await prepare(s) : undefined;
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL(import.meta.url), { workerData: { s, prepared, counter } }),
  );
  const message = (worker: Worker) =>
    new Promise<FloorVerdict[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  try {
    await Promise.all(workers.map(message)); // every thread booted (prepared: its operands in hand)
    const times: number[] = [];
    let last: ReturnType<typeof conclude> | undefined;
    for (let r = 0; r < runs; r++) {
      Atomics.store(counter, 0, 0);
      const done = workers.map(message);
      const started = performance.now();
      const handed = prepared ? undefined : await readRun(s);
      for (const worker of workers) worker.postMessage(handed ?? 'go');
      last = conclude((await Promise.all(done)).flat());
      times.push(performance.now() - started);
    }
    return { times, threads: count, mode, ...last! };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

if (!isMainThread) {
  const { s, prepared, counter } = workerData as { s: Setting; prepared: Handed | undefined; counter: Int32Array };
  parentPort!.on('message', (handed: Omit<Handed, 'trust'> | 'go') =>
    parentPort!.postMessage(
      pass(s, prepared ?? { ...(handed as Omit<Handed, 'trust'>), trust: undefined }, () => Atomics.add(counter, 0, 1)),
    ),
  );
  parentPort!.postMessage([]);
} else if (import.meta.main) {
  const [kind, world, runs, count, mode] = process.argv.slice(2) as [Kind, string, string?, string?, Mode?];
  const wanted = Number(count ?? availableParallelism());
  const s = setting(kind, world);
  const chosen = mode ?? 'prepared';
  const result =
    wanted <= 1 ? await oneThread(s, chosen, Number(runs ?? 3)) : await threads(s, chosen, Number(runs ?? 3), wanted);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
