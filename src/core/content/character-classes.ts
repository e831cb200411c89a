/**
 * The Unicode classes characters.ts asks about to tell an invisible character in its place
 * (a joiner in a Devanagari conjunct, a word break in Thai) from one hidden in text, each
 * made on first use.
 */

/**
 * A pattern made when first used: making a \p{Script} class builds its set of characters, and these
 * took about 2 ms of every CLI start, where most texts never reach them.
 */
function onFirstUse(make: () => RegExp): () => RegExp {
  let pattern: RegExp | undefined;
  return () => (pattern ??= make());
}

/** Scripts written without spaces, where U+200B marks word breaks for line wrapping (UAX #14). */
export const NO_SPACE_SCRIPT = onFirstUse(
  () => /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]/u,
);
/** Scripts whose shaping ZWJ and ZWNJ control (UAX #31 §2.3: Arabic joining, Indic viramas; Persian, Hindi, Sinhala…). */
export const JOINING_SCRIPT = onFirstUse(
  () =>
    /[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Nko}\p{Script=Mongolian}\p{Script=Mandaic}\p{Script=Manichaean}\p{Script=Psalter_Pahlavi}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}\p{Script=Myanmar}\p{Script=Khmer}\p{Script=Tibetan}\p{Script=Balinese}\p{Script=Javanese}\p{Script=Tirhuta}\p{Script=Grantha}\p{Script=Sharada}\p{Script=Takri}\p{Script=Newa}]/u,
);
/**
 * Letters of right-to-left scripts, around which direction marks are ordinary (UAX #9). Letters only: the
 * Arabic letter mark (U+061C) is of the Arabic script itself, and made its own line look right-to-left.
 */
export const RTL_LETTER = onFirstUse(
  () =>
    /(?=\p{L})[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}]/u,
);
/** Viramas (Canonical_Combining_Class 9): a joiner after one shapes a conjunct or a half form, even at a word's end (UAX #31 A1, B). */
export const VIRAMA = onFirstUse(
  () =>
    /[\u094d\u09cd\u0a4d\u0acd\u0b4d\u0bcd\u0c4d\u0ccd\u0d3b\u0d3c\u0d4d\u0dca\u0e3a\u0eba\u0f84\u1039\u103a\u1714\u1715\u1734\u17d2\u1a60\u1b44\u1baa\u1bab\u1bf2\u1bf3\u2d7f\ua806\ua82c\ua8c4\ua953\ua9c0\uaaf6\uabed\u{10a3f}\u{11046}\u{11070}\u{1107f}\u{110b9}\u{11133}\u{11134}\u{111c0}\u{11235}\u{112ea}\u{1134d}\u{11442}\u{114c2}\u{115bf}\u{1163f}\u{116b6}\u{1172b}\u{11839}\u{1193d}\u{1193e}\u{119e0}\u{11a34}\u{11a47}\u{11a99}\u{11c3f}\u{11d44}\u{11d45}\u{11d97}]/u,
);
export const PICTOGRAPHIC = onFirstUse(() => /\p{Extended_Pictographic}/u);
export const HANGUL = onFirstUse(() => /\p{Script=Hangul}/u);
/** Bases of emoji variation sequences (VS15 text, VS16 emoji presentation): emoji, and the keycap bases 0–9 # *. */
export const EMOJI = onFirstUse(() => /\p{Emoji}/u);
/** Ideographs: VS1–VS3 after one choose a CJK compatibility form, VS17–VS256 an ideographic variation sequence. */
export const IDEOGRAPH = onFirstUse(() => /\p{Unified_Ideograph}/u);
/** The other bases of StandardizedVariants.txt: math symbols, Myanmar, Phags-pa, Manichaean, Egyptian hieroglyphs. */
export const STANDARDIZED_BASE = onFirstUse(
  () => /[\p{Sm}\p{Script=Myanmar}\p{Script=Phags_Pa}\p{Script=Manichaean}\p{Script=Egyptian_Hieroglyphs}]/u,
);

/** A letter of any script. */
export const LETTER = onFirstUse(() => /\p{L}/u);
