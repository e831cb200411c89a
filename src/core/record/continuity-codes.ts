/** The findings of signer continuity: what Accept Signer Change records. */
export const CONTINUITY_CODES = ['SIGNATURE_REMOVED', 'SIGNER_CHANGED', 'DOWNGRADE'] as const;

/** Whether a finding's code is one of signer continuity. */
export const isContinuity = (code: string): boolean => (CONTINUITY_CODES as readonly string[]).includes(code);
