import { PRODUCT_VERSION } from '../version.ts';

/** A SARIF rule as this tool declares its rules: an id, what it means, its level. */
export interface SarifRule {
  id: string;
  text: string;
  level: 'error' | 'warning' | 'note';
}

/** A SARIF 2.1.0 log of one run of aam-trust: its rules and results (Trust Diff, the compliance report). */
export function sarifLog(rules: readonly SarifRule[], results: readonly unknown[]): Record<string, unknown> {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'aam-trust',
            version: PRODUCT_VERSION,
            informationUri: 'https://github.com/aam-trust/aam-trust',
            rules: rules.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.text },
              defaultConfiguration: { level: rule.level },
            })),
          },
        },
        results,
      },
    ],
  };
}
