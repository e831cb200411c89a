/**
 * Package names, descriptions and keywords for the scale fixture, shaped
 * like a public registry's rather than drawn from a handful of words: a
 * vocabulary of ~20,000 words (a few hundred real ones that npm names are
 * made of, most used first, then made-up pronounceable ones for the long
 * tail), picked with Zipf's law (the r-th word about 1/r as often as the
 * first), so a few words are in thousands of packages and most in a few.
 * Names are 1–4 words joined by hyphens, some with a suffix (`-js`, `2`),
 * about a third in a scope (scopes are Zipf-distributed too: a few large
 * organizations, many small ones). Everything is generated from a fixed seed:
 * the n-th package has the same name in every run.
 */

/** Words npm package names are commonly made of, roughly most used first. */
const REAL = `react vue plugin loader cli utils util core parser config eslint webpack babel
node api client server test types angular redux ui component components js json http css
data web tools helper helpers lib sdk router store auth log logger file fs string string-utils
date time format validator validate schema cache stream async promise event events emitter
mock mocks build bundle dev env path url query graphql rest socket ws mongo mongoose sql
postgres mysql redis db orm model models vite rollup esbuild jest mocha chai typescript ts
lint prettier style styles theme icons icon image images svg color colors font markdown md
html template templates render view views form forms input button modal table list grid
chart charts map maps i18n intl locale translate text editor code highlight syntax ast
compiler transform plugin-utils preset config-utils storage local session cookie token jwt
oauth crypto hash uuid id random math number array object deep merge clone diff patch
compare sort filter search index tree graph queue worker job task tasks cron schedule
retry timeout delay throttle debounce rate limit proxy request fetch axios download upload
stream-utils buffer binary zip gzip tar archive pack unpack install package registry npm
yarn pnpm monorepo workspace git github gitlab ci deploy docker kubernetes aws azure gcp
cloud lambda serverless function functions edge cdn static site next nuxt svelte solid
preact native mobile ios android electron desktop app apps starter boilerplate kit toolkit
framework sdk-core agent agents prompt prompts skill skills llm ai openai chat bot assistant
embedding vector audit review security scan scanner policy compliance license check checker
runner report reporter coverage benchmark bench perf metrics monitor trace tracing telemetry
error errors debug inspect pretty print color-utils terminal shell command commander args
argv prompt-utils spinner progress table-utils csv yaml toml xml ini dotenv config-loader
watch watcher reload hot live sync state signal signals hooks hook context provider reducer
middleware express koa fastify hapi nest next-auth session-store rate-limit cors helmet
body-parser multer validator-js zod yup ajv joi types-utils polyfill shim compat legacy
browser dom window document element elements shadow custom slot animation motion transition
scroll drag drop gesture touch keyboard mouse focus a11y accessibility aria seo meta head
analytics tracking ab experiment feature flags flag toggle switch release version semver
changelog commit commitlint husky hooks-utils format-utils beautify minify uglify terser
compress optimize image-utils sharp resize crop thumbnail video audio media player stream-player`
  .split(/\s+/)
  .flatMap((word) => word.split('-'))
  .filter((word, i, all) => word && all.indexOf(word) === i);

/** A deterministic pseudo-random generator (mulberry32). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ONSETS = [
  'b',
  'c',
  'd',
  'f',
  'g',
  'h',
  'j',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'w',
  'z',
  'br',
  'cl',
  'dr',
  'fl',
  'gr',
  'pl',
  'qu',
  'sh',
  'st',
  'th',
  'tr',
  'ch',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou', 'y'];
const CODAS = ['', '', '', 'n', 'r', 's', 'x', 'l', 'm', 'ck', 'nt', 'st'];

/** `count` distinct made-up words of 2–3 syllables. */
function madeUpWords(count: number, random: () => number, taken: Set<string>): string[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const out: string[] = [];
  while (out.length < count) {
    const syllables = 2 + Math.floor(random() * 2);
    let word = '';
    for (let s = 0; s < syllables; s++) word += pick(ONSETS) + pick(VOWELS);
    word += pick(CODAS);
    if (taken.has(word)) continue;
    taken.add(word);
    out.push(word);
  }
  return out;
}

/**
 * Picks from `size` ranks with the Zipf–Mandelbrot law: rank r with weight 1/(r + offset). The
 * offset flattens the head: with 15, the commonest word is in about one package in ten, as
 * `react` is on npm, and the 10,000th in a handful.
 */
function zipf(size: number, random: () => number, offset: number): () => number {
  const cumulative = new Float64Array(size);
  let sum = 0;
  for (let r = 0; r < size; r++) cumulative[r] = sum += 1 / (r + offset);
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const random = generator(28);
const taken = new Set(REAL);
/** The fixture's vocabulary, most frequent first. */
export const VOCABULARY: readonly string[] = [...REAL, ...madeUpWords(20_000 - REAL.length, random, taken)];
const SCOPES = [
  ...REAL.slice(0, 40),
  ...madeUpWords(8_000, random, taken).map((w, i) => (i % 5 === 0 ? `${w}${i % 97}` : w)),
];
const AUTHORS = madeUpWords(20_000, random, taken);

const wordRank = zipf(VOCABULARY.length, random, 15);
const scopeRank = zipf(SCOPES.length, random, 3);
const authorRank = zipf(AUTHORS.length, random, 3);
const word = () => VOCABULARY[wordRank()]!;
/** A word of the vocabulary as often as the fixture uses it, drawn apart from the fixture's own sequence (for queries). */
export const queryWord = (() => {
  const rank = zipf(VOCABULARY.length, Math.random, 15);
  return () => VOCABULARY[rank()]!;
})();
const GLUE = ['a', 'the', 'for', 'and', 'with', 'to', 'of', 'in'];
const SUFFIXES = ['js', 'cli', 'ts', 'core', 'utils', '2', '3', 'next', 'lite', 'plus'];

export interface FixturePackage {
  scope: string;
  name: string;
  full: string;
  description: string;
  author: string;
  keywords: string[];
}

const made: FixturePackage[] = [];
const fullNames = new Set<string>();

/** The fixture's p-th package (the same in every run: all before it are made first, in order). */
export function fixturePackage(p: number): FixturePackage {
  while (made.length <= p) made.push(makePackage());
  return made[p]!;
}

function makePackage(): FixturePackage {
  const scope = random() < 0.35 ? SCOPES[scopeRank()]! : '';
  for (;;) {
    const roll = random();
    const count = roll < 0.2 ? 1 : roll < 0.7 ? 2 : roll < 0.95 ? 3 : 4;
    const parts = Array.from({ length: count }, () => word());
    if (random() < 0.15) parts.push(SUFFIXES[Math.floor(random() * SUFFIXES.length)]!);
    const name = parts.join('-').slice(0, 64).replace(/-+$/, '');
    const full = scope ? `@${scope}/${name}` : name;
    if (fullNames.has(full)) continue;
    fullNames.add(full);
    const length = 4 + Math.floor(random() * 11);
    const description = Array.from({ length }, (_, i) =>
      i % 3 === 1 ? GLUE[Math.floor(random() * GLUE.length)]! : word(),
    ).join(' ');
    const keywords = [...new Set(Array.from({ length: Math.floor(random() * 6) }, () => word()))];
    return {
      scope,
      name,
      full,
      description: description[0]!.toUpperCase() + description.slice(1),
      author: AUTHORS[authorRank()]!,
      keywords,
    };
  }
}
