/** Every command the extension contributes (package.json), registered at activation. */
export const COMMAND_IDS = [
  'aam.publishSigned',
  'aam.verifyAll',
  'aam.verifyPackage',
  'aam.installPackage',
  'aam.trustSigner',
  'aam.importKey',
  'aam.showEffectivePolicy',
  'aam.signIn',
  'aam.signOut',
  'aam.prepareOffline',
  'aam.openTrustPolicy',
  'aam.refresh',
  'aam.revealBundle',
  'aam.showInLockFile',
  'aam.showWhatIf',
  'aam.restoreDeployed',
  'aam.reviewLostPolicy',
  'aam.acceptSignerChange',
  'aam.compareTrustWith',
  'aam.revertTrustChange',
  'aam.approveVersion',
  'aam.refreshAuditLog',
  'aam.cosignVersion',
  'aam.fetchKey',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];
