import type * as FeaturesModule from './features.ts';

export type Features = ReturnType<typeof FeaturesModule.startFeatures>;
export type Engine = typeof FeaturesModule;

let loading: Promise<typeof FeaturesModule> | undefined;

/**
 * The editor features and the verification engine: a separate bundle
 * (dist/features.js), loaded on first use — never during activation: the
 * load waits for the next turn of the event loop.
 */
export function loadEngine(): Promise<typeof FeaturesModule> {
  return (loading ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => import('./features.ts')));
}
