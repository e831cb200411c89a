import { isChecksum } from '../archive/hash.ts';

/** How a signature stored beside an archive is described in `metadata.yaml`. */
export interface SignatureRecord {
  type: 'sigstore' | 'gpg';
  identity?: string | undefined;
  issuer?: string | undefined;
  fingerprint?: string | undefined;
  transparency_log?: { log_index: string; url: string | undefined } | undefined;
  signed_at: string | undefined;
  /** File name beside the archive: `<ver>.aam.sigstore.json` or `<ver>.aam.asc`. */
  file: string;
}

/** One published version, as `metadata.yaml` lists it. */
export interface VersionEntry {
  version: string;
  published: string;
  checksum: string;
  size: number;
  dependencies: Record<string, string>;
  /** Yanked on an HTTP registry: still downloadable by exact version, never picked by a range or latest. */
  yanked?: boolean;
  /** On an HTTP registry that requires approval: not installable until approved (rejected: never). */
  approval?: 'pending' | 'rejected';
  signatures?: SignatureRecord[];
}

/** A package's `metadata.yaml`. */
export interface PackageMetadata {
  name: string;
  description: string;
  author: string | null;
  license: string | null;
  repository?: string | null;
  keywords: string[];
  dist_tags: Record<string, string>;
  versions: VersionEntry[];
}

/** Reads `metadata.yaml` defensively: a shared registry folder is input, not trusted state. */
export function toPackageMetadata(raw: Record<string, unknown>, fallbackName: string): PackageMetadata {
  const versions = (Array.isArray(raw.versions) ? raw.versions : []).flatMap((v): VersionEntry[] => {
    if (!v || typeof v !== 'object') return [];
    const entry = v as Record<string, unknown>;
    if (typeof entry.version !== 'string' || !isChecksum(entry.checksum)) return [];
    return [
      {
        version: entry.version,
        published: String(entry.published ?? ''),
        checksum: entry.checksum,
        size: Number(entry.size ?? 0),
        dependencies: stringMap(entry.dependencies),
        ...(Array.isArray(entry.signatures) ? { signatures: entry.signatures.filter(isSignatureRecord) } : {}),
      },
    ];
  });
  return {
    name: typeof raw.name === 'string' ? raw.name : fallbackName,
    description: typeof raw.description === 'string' ? raw.description : '',
    author: typeof raw.author === 'string' ? raw.author : null,
    license: typeof raw.license === 'string' ? raw.license : null,
    repository: typeof raw.repository === 'string' ? raw.repository : null,
    keywords: Array.isArray(raw.keywords) ? raw.keywords.filter((k): k is string => typeof k === 'string') : [],
    dist_tags: stringMap(raw.dist_tags),
    versions,
  };
}

function isSignatureRecord(value: unknown): value is SignatureRecord {
  const r = value as Partial<SignatureRecord> | null;
  return (
    !!r &&
    (r.type === 'sigstore' || r.type === 'gpg') &&
    typeof r.file === 'string' &&
    !r.file.includes('/') &&
    !r.file.includes('\\')
  );
}

function stringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

/** The `index.yaml` entry of a package, as the AAM CLI writes it. */
export function indexEntry(metadata: PackageMetadata, artifactTypes: string[] = []): Record<string, unknown> {
  const last = metadata.versions[metadata.versions.length - 1];
  return {
    name: metadata.name,
    description: metadata.description,
    latest: metadata.dist_tags.latest ?? '',
    keywords: metadata.keywords,
    artifact_types: artifactTypes,
    updated_at: last?.published ?? '',
  };
}

/** A registry's packages, complete, or saying what is missing and why. */
export interface Listing {
  packages: PackageMetadata[];
  /** Packages the registry has whose metadata could not be read. */
  unreadable: { name: string; reason: string }[];
  /** One sentence each for the reader: every unreadable package, a listing that stopped short. */
  notices: string[];
}
