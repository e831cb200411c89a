/**
 * One style's declarations as a browser applies them: for each property the last valid declaration, an
 * `!important` one before the rest (diff16-review B1: an invalid shadow, or one a later `none` replaced,
 * counted as drawing).
 */

/** A declaration as read: its property and value (lower case, variables resolved), and whether `!important`. */
export type Declaration = readonly [property: string, value: string, important: boolean];

/** The declaration of `names` that applies: the last valid one, an `!important` one before any other. */
export function effective(
  declarations: readonly Declaration[],
  names: RegExp,
  valid: (value: string, property: string) => boolean = () => true,
): Declaration | undefined {
  let normal: Declaration | undefined;
  let important: Declaration | undefined;
  for (const declaration of declarations)
    if (names.test(declaration[0]) && valid(declaration[1], declaration[0]))
      if (declaration[2]) important = declaration;
      else normal = declaration;
  return important ?? normal;
}

/** A var() of one of VS Code's theme colours (a name it defines: preview-background.ts): not known here. */
export const VSCODE_VARIABLE = /var\(\s*--vscode-/;

/**
 * Whether a value holds a var() that nothing in a preview defines (any but VS Code's theme colours): a browser
 * takes the whole value as invalid when it computes it, so a shadow, stroke, background or mask written with
 * it paints nothing (diff17-review M6), whatever `--vscode-` var() stands beside it.
 */
export function undefinedVariable(value: string): boolean {
  return value.replace(/var\(\s*--vscode-/g, '').includes('var(');
}
