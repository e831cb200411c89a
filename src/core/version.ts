import manifest from '../../package.json' with { type: 'json' };

/** This build's version (package.json), shown by the CLI and salting stored verification results. */
export const PRODUCT_VERSION: string = manifest.version;
