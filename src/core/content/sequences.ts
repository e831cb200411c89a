/**
 * The sequences in which Unicode gives a tag character or a variation selector
 * a meaning, so that characters.ts can tell one in its place from one that
 * carries data. Tag characters mean something only in the three RGI emoji tag
 * sequences (UTS #51 ED-14a; emoji-sequences.txt), the flags of England,
 * Scotland and Wales: any other run of them, even shaped like a subdivision
 * flag, spells a message. A variation selector means something after the
 * bases StandardizedVariants.txt, emoji-variation-sequences.txt and the
 * Ideographic Variation Database (UTS #37) list; here by the classes those
 * bases fall in, not the exact lists: loose enough for every sequence in the
 * files, strict where smuggling writes (after Latin letters and other text).
 */

import { EMOJI, IDEOGRAPH, STANDARDIZED_BASE } from './character-classes.ts';

/** The tag letters of the RGI subdivision flags: gbeng, gbsct, gbwls, each closed by CANCEL TAG (U+E007F). */
const RGI_FLAG_TAGS = new Set(['gbeng', 'gbsct', 'gbwls']);

/** Whether tag characters `cps`, right after `base`, are an RGI flag tag sequence (🏴 + tag letters + cancel tag). */
export function isFlagTagSequence(base: number | undefined, cps: readonly number[]): boolean {
  if (base !== 0x1f3f4 || cps.at(-1) !== 0xe007f) return false;
  return RGI_FLAG_TAGS.has(String.fromCharCode(...cps.slice(0, -1).map((cp) => cp - 0xe0000)));
}

/** Whether variation selector `selector` after `base` is a variation sequence Unicode defines. */
export function isVariationSequence(base: number | undefined, selector: number): boolean {
  if (base === undefined) return false;
  const char = String.fromCodePoint(base);
  if (selector >= 0xe0100) return IDEOGRAPH().test(char);
  if (selector === 0xfe0e || selector === 0xfe0f) return EMOJI().test(char);
  // DIGIT ZERO with a short diagonal stroke is the one ASCII base of StandardizedVariants.txt.
  if (base < 0x80) return base === 0x30 && selector === 0xfe00;
  // VS1–VS3: CJK compatibility forms, math symbol variants, Myanmar dotted forms, Phags-pa and Manichaean letters.
  return selector <= 0xfe02 && (IDEOGRAPH().test(char) || STANDARDIZED_BASE().test(char));
}
