import type * as FeaturesModule from './features.ts';

export type Features = ReturnType<typeof FeaturesModule.startFeatures>;

let loading: Promise<typeof FeaturesModule> | undefined;

/**
 * The editor features and the verification engine: a separate bundle
 * (dist/features.js), loaded on first use — never during activation: the
 * load waits for the next turn of the event loop. Only extension.ts calls
 * this; the model is handed the engine, and never loads it itself.
 */
export function loadFeatures(): Promise<typeof FeaturesModule> {
  return (loading ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => import('./features.ts')));
}
