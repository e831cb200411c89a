/** Archives over this size are refused, as the AAM CLI refuses them. */
export const MAX_ARCHIVE_BYTES = 50 * 1024 * 1024;
/** Unpacked content is capped at the same size, so a gzip bomb stops early. */
export const MAX_UNPACKED_BYTES = 50 * 1024 * 1024;
export const MAX_ENTRIES = 10_000;
export const MAX_PATH_DEPTH = 32;
export const MAX_PATH_LENGTH = 1024;
/** An extension header (pax, GNU long name) holds a name, a link name and times: a few KB at most. */
export const MAX_EXTENSION_BYTES = 64 * 1024;

/** Directories that packing skips, as the AAM CLI does. */
export const PACK_EXCLUDED_DIRS = new Set([
  '.git',
  'node_modules',
  '.venv',
  'venv',
  '__pycache__',
  '.mypy_cache',
  '.ruff_cache',
  '.pytest_cache',
  'dist',
  'build',
]);

export const MANIFEST_FILE = 'aam.yaml';
