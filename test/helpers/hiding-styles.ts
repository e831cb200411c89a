/** Assertions over style attributes: each one hides its element in a preview, or none does. */
import assert from 'node:assert/strict';
import { hidingStyle } from '../../src/core/content/styles.ts';

/** Each style hides its element (the style is the failure's message). */
export function hidden(styles: readonly string[]): void {
  for (const style of styles) assert.notEqual(hidingStyle(style), undefined, style);
}

/** No style hides its element. */
export function shown(styles: readonly string[]): void {
  for (const style of styles) assert.equal(hidingStyle(style), undefined, style);
}
