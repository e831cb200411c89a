import type * as vscode from 'vscode';

/** Where the extension's providers apply; registered at activation, served by the features bundle. */
export const CONFIG_SELECTOR: vscode.DocumentSelector = { scheme: 'file', pattern: '**/.aam/config.yaml' };
export const LOCK_SELECTOR: vscode.DocumentSelector = { scheme: 'file', pattern: '**/.aam/aam-lock.yaml' };
/** Read-only documents showing a workspace's effective policy. */
export const POLICY_SCHEME = 'aam-policy';
/** The form editor over config.yaml (package.json customEditors). */
export const POLICY_EDITOR_VIEW_TYPE = 'aam.policyEditor';
/** Read-only documents of an update review: each changed file before and after, and the summary. */
export const REVIEW_SCHEME = 'aam-review';
