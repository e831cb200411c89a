/**
 * The colour functions of CSS Color 4 and 5 that the `color` library does not read — `oklch()`, `oklab()`,
 * `lab()`, `lch()`, `color(srgb …)`, `color(display-p3 …)`, `color-mix()`, `light-dark()` — as sRGB, so the
 * hidden-content check tells white from white however it is spelt (diff11-review K5: white text on a white
 * background passed as `oklch(100% 0 0)`). Out-of-gamut colours are clipped, as a contrast needs no more. The
 * matrices are CSS Color 4's (§ 18, "Sample code for color conversions").
 */
type Rgb = [number, number, number];
export type Rgba = { rgb: Rgb; alpha: number };

/** Colour functions read inside one another (`color-mix()` of `color-mix()`…) at most this deep. */
const MAX_DEPTH = 8;

/**
 * The colour as sRGB channels 0–255 and its alpha (0–1), or undefined for anything not read here; `part`
 * reads the colours inside `color-mix()` and `light-dark()` (the caller's reading, the library's names too).
 */
export function cssColour4(
  value: string,
  part: (value: string, depth: number) => Rgba | undefined,
  depth = 0,
): Rgba | undefined {
  const call = /^([a-z-]+)\((.*)\)$/i.exec(value.trim());
  if (!call || depth > MAX_DEPTH) return undefined;
  const colourIn = (text: string) => part(text, depth + 1);
  const name = call[1]!.toLowerCase();
  const body = call[2]!;
  if (name === 'light-dark') {
    // One or the other, by the colour scheme: one colour only when both are (all but the same, as #fefefe and
    // white); otherwise whoever judges it takes each apart (styles.ts).
    const [light, dark, more] = splitAtDepth(body, ',').map((part) => part.trim());
    const [a, b] = [light && colourIn(light), dark && colourIn(dark)];
    return !more && a && b && a.rgb.every((c, i) => Math.abs(c - b.rgb[i]!) <= 2) && a.alpha === b.alpha
      ? a
      : undefined;
  }
  if (name === 'color-mix') return mixed(body, colourIn);
  const [channels, alphaText] = body.split('/').map((part) => part.trim());
  if (channels === undefined || body.split('/').length > 2) return undefined;
  const words = channels.split(/\s+/).filter(Boolean);
  const alpha = alphaText === undefined ? 1 : number(alphaText, 1);
  if (alpha === undefined) return undefined;
  const linear = linearOf(name, words);
  return linear && { rgb: linear.map((c) => Math.round(255 * encode(Math.min(1, Math.max(0, c))))) as Rgb, alpha };
}

/** Linear-light sRGB of a colour function's channels, or undefined. */
function linearOf(name: string, words: string[]): Rgb | undefined {
  if (name === 'color') {
    const [space, ...rest] = words;
    const c = rest.map((w) => number(w, 1));
    if (rest.length !== 3 || c.some((x) => x === undefined)) return undefined;
    const [r, g, b] = c as number[];
    switch (space?.toLowerCase()) {
      case 'srgb':
        return [decode(r!), decode(g!), decode(b!)];
      case 'srgb-linear':
        return [r!, g!, b!];
      case 'display-p3':
        return multiply(XYZ_TO_SRGB, multiply(P3_TO_XYZ, [decode(r!), decode(g!), decode(b!)]));
      case 'xyz':
      case 'xyz-d65':
        return multiply(XYZ_TO_SRGB, [r!, g!, b!]);
      case 'xyz-d50':
        return multiply(XYZ_TO_SRGB, multiply(D50_TO_D65, [r!, g!, b!]));
      default:
        return undefined;
    }
  }
  if (words.length !== 3) return undefined;
  const [first, second, third] = words as [string, string, string];
  switch (name) {
    case 'hsl':
    case 'hsla':
      return fromHsl(first, second, third);
    case 'oklab':
    case 'oklch': {
      const l = number(first, 1);
      const [a, b] = name === 'oklab' ? [number(second, 0.4), number(third, 0.4)] : polar(second, third, 0.4);
      return l === undefined || a === undefined || b === undefined ? undefined : fromOklab(l, a, b);
    }
    case 'lab':
    case 'lch': {
      const l = number(first, 100);
      const [a, b] = name === 'lab' ? [number(second, 125), number(third, 125)] : polar(second, third, 150);
      return l === undefined || a === undefined || b === undefined ? undefined : fromLab(l, a, b);
    }
    default:
      return undefined;
  }
}

/** `color-mix(in SPACE, A [p%], B [q%])`, mixed in sRGB whatever the space: two of one colour mix to it. */
function mixed(body: string, colourIn: (text: string) => Rgba | undefined): Rgba | undefined {
  const [space, ...parts] = splitAtDepth(body, ',').map((part) => part.trim());
  if (!space || !/^in\s+[a-z-]+(?:\s+[a-z]+\s+hue)?$/i.test(space) || parts.length !== 2) return undefined;
  const read = parts.map((part) => {
    const match = /^(.*?)(?:\s+(\d+(?:\.\d+)?)%)?$/.exec(part.trim())!;
    return { colour: colourIn(match[1]!), weight: match[2] === undefined ? undefined : Number(match[2]) / 100 };
  });
  if (read.some((r) => !r.colour)) return undefined;
  let [p, q] = [read[0]!.weight, read[1]!.weight];
  if (p === undefined && q === undefined) [p, q] = [0.5, 0.5];
  else if (p === undefined) p = 1 - q!;
  else if (q === undefined) q = 1 - p;
  const total = p + q!;
  if (!(total > 0)) return undefined;
  const [a, b] = [read[0]!.colour!, read[1]!.colour!];
  const w = p / total;
  // Premultiplied, as CSS mixes: white with transparent is white, half see-through (diff14-review C1).
  const alpha = a.alpha * w + b.alpha * (1 - w);
  const channel = (i: number) => (alpha > 0 ? (a.rgb[i]! * a.alpha * w + b.rgb[i]! * b.alpha * (1 - w)) / alpha : 0);
  return { rgb: [0, 1, 2].map((i) => Math.round(channel(i))) as Rgb, alpha: alpha * Math.min(1, total) };
}

/** `value` split at each `separator` outside parentheses (or a blank, for ' '), in one pass however nested. */
export function splitAtDepth(value: string, separator: ' ' | ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0 && (separator === ' ' ? c === ' ' || c === '\t' || c === '\n' : c === separator)) {
      out.push(value.slice(from, i));
      from = i + 1;
    }
  }
  out.push(value.slice(from));
  return out;
}

/** A number, a percentage of `whole`, or `none` (0). */
function number(text: string, whole: number): number | undefined {
  if (text === 'none') return 0;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(%?)$/i.exec(text);
  if (!match) return undefined;
  return match[2] ? (Number(match[1]) / 100) * whole : Number(match[1]);
}

/** A chroma and a hue (deg, rad, grad, turn, or a number of degrees) as the two axes. */
function polar(chromaText: string, hueText: string, whole: number): [number | undefined, number | undefined] {
  const chroma = number(chromaText, whole);
  const degrees = degreesOf(hueText);
  if (chroma === undefined || degrees === undefined) return [undefined, undefined];
  const radians = (degrees * Math.PI) / 180;
  return [chroma * Math.cos(radians), chroma * Math.sin(radians)];
}

/** A hue in deg, rad, grad or turn (or a number of degrees), in degrees. */
function degreesOf(text: string): number | undefined {
  if (text === 'none') return 0;
  const hue = /^([+-]?(?:\d+\.?\d*|\.\d+))(deg|rad|grad|turn)?$/i.exec(text);
  return hue
    ? Number(hue[1]) * ({ rad: 180 / Math.PI, grad: 0.9, turn: 360 }[hue[2]?.toLowerCase() ?? ''] ?? 1)
    : undefined;
}

/** `hsl()` in linear light, for what the library leaves (a hue in turn, rad or grad). */
function fromHsl(hueText: string, saturationText: string, lightnessText: string): Rgb | undefined {
  const [h, s, l] = [degreesOf(hueText), number(saturationText, 1), number(lightnessText, 1)];
  if (h === undefined || s === undefined || l === undefined) return undefined;
  const k = (n: number) => (n + h / 30) % 12;
  const a = Math.min(1, Math.max(0, s)) * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [decode(f(0)), decode(f(8)), decode(f(4))];
}

function fromOklab(l: number, a: number, b: number): Rgb {
  const lms = multiply(OKLAB_TO_LMS, [l, a, b]).map((c) => c ** 3) as Rgb;
  return multiply(LMS_TO_SRGB, lms);
}

function fromLab(l: number, a: number, b: number): Rgb {
  const KAPPA = 24389 / 27;
  const EPSILON = 216 / 24389;
  const fy = (l + 16) / 116;
  const [fx, fz] = [fy + a / 500, fy - b / 200];
  const xyz: Rgb = [
    (fx ** 3 > EPSILON ? fx ** 3 : (116 * fx - 16) / KAPPA) * D50_WHITE[0],
    (l > KAPPA * EPSILON ? fy ** 3 : l / KAPPA) * D50_WHITE[1],
    (fz ** 3 > EPSILON ? fz ** 3 : (116 * fz - 16) / KAPPA) * D50_WHITE[2],
  ];
  return multiply(XYZ_TO_SRGB, multiply(D50_TO_D65, xyz));
}

/** sRGB's transfer function, from linear light and back (display-p3 shares it). */
function encode(c: number): number {
  return c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
}

function decode(c: number): number {
  const abs = Math.abs(c);
  return abs <= 0.04045 ? c / 12.92 : Math.sign(c) * ((abs + 0.055) / 1.055) ** 2.4;
}

function multiply(m: readonly Rgb[], v: Rgb): Rgb {
  return m.map((row) => row[0] * v[0] + row[1] * v[1] + row[2] * v[2]) as Rgb;
}

const D50_WHITE: Rgb = [0.3457 / 0.3585, 1, (1 - 0.3457 - 0.3585) / 0.3585];
const OKLAB_TO_LMS: Rgb[] = [
  [1, 0.3963377773761749, 0.2158037573099136],
  [1, -0.1055613458156586, -0.0638541728258133],
  [1, -0.0894841775298119, -1.2914855480194092],
];
const LMS_TO_SRGB: Rgb[] = [
  [4.0767416360759583, -3.3077115392580629, 0.2309699031821043],
  [-1.2684379732850315, 2.6097573492876882, -0.341319376002657],
  [-0.0041960761386756, -0.7034186179359362, 1.7076146940746117],
];
const D50_TO_D65: Rgb[] = [
  [0.955473421488075, -0.02309845494876471, 0.06325924320057072],
  [-0.0283697093338637, 1.0099953980813041, 0.021041441191917323],
  [0.012314014864481998, -0.020507649298898964, 1.330365926242124],
];
const XYZ_TO_SRGB: Rgb[] = [
  [3.2409699419045226, -1.537383177570094, -0.4986107602930034],
  [-0.9692436362808796, 1.8759675015077202, 0.04155505740717559],
  [0.05563007969699366, -0.20397695888897652, 1.0569715142428786],
];
const P3_TO_XYZ: Rgb[] = [
  [0.4865709486482162, 0.26566769316909306, 0.1982172852343625],
  [0.2289745640697488, 0.6917385218365064, 0.079286914093745],
  [0, 0.04511338185890264, 1.043944368900976],
];
