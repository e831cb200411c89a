/**
 * Where the time of one cold `aam-trust verify` process goes: runs it in a
 * built world under --cpu-prof (the main thread and every worker thread write
 * a profile), maps each sample through the bundles' source maps to the
 * TypeScript file and function it came from, and prints per thread its span
 * and self time by source file and by function, then a timeline of phases:
 * when the first and last sample of each named function fell (ms from the
 * process's start).
 *
 *   node bench/profile.ts WORLD [NAME...]     e.g. .bench-fixtures/sigstore-1000 @bench/pkg-00000
 *   node bench/profile.ts WORLD --bench SCRIPT [ARG...]
 *                                             one of the bench's own scripts instead, WORLD passed as its
 *                                             second argument: e.g. --bench verify.ts cold 0 (the engine on
 *                                             one thread), --bench floor.ts sigstore 1 2 (the floor, 2 threads)
 *
 * Sampling every 250 µs slows the process down a little; read shares, not totals.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, node, repo, worldEnv } from './harness.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Phases worth seeing on the timeline, by the source function that does them. */
const PHASES = [
  'loadConfig',
  'commandContext',
  'readLockFile',
  'readTrustRecord',
  'prefetchKeys',
  'runJob',
  'checkDeployment',
  'learnRecord',
  'reportOf',
  'save',
  'reportToJson',
];

const maps = new Map<string, SourceMap | undefined>();
function original(frame: ProfileNode['callFrame']): { file: string; name: string } {
  if (!frame.url.startsWith('file:') || !frame.url.includes('/dist/'))
    return {
      file: frame.url ? frame.url.replace(/^.*node_modules\//, '') : `(${frame.functionName || 'vm'})`,
      name: frame.functionName,
    };
  const path = fileURLToPath(frame.url);
  if (!maps.has(path)) {
    try {
      maps.set(path, new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))));
    } catch {
      maps.set(path, undefined);
    }
  }
  const entry = maps.get(path)?.findEntry(frame.lineNumber, frame.columnNumber);
  if (!entry || !('originalSource' in entry)) return { file: path.split('/').pop()!, name: frame.functionName };
  const file = entry.originalSource.replace(/^.*?\.\.\//, '').replace(/^.*node_modules\//, '');
  // Node's entries carry the original name too (not in its types).
  return { file, name: (entry as { name?: string }).name ?? frame.functionName };
}

interface Tally {
  byFile: Map<string, number>;
  byFunction: Map<string, number>;
  phases: Map<string, [number, number]>;
  /** AAM_PROFILE_CALLERS: self time of the functions named there by their nearest caller in src/. */
  callers: Map<string, number>;
  sampled: number;
}

/** AAM_PROFILE_CALLERS=normalizeString,readdir: whose code (the nearest frame in src/) spends those functions' self time. */
const CALLERS = (process.env.AAM_PROFILE_CALLERS ?? '').split(',').filter(Boolean);

/** A profile's self time by source file and by function, and when each phase's first and last sample fell. */
function tally(profile: Profile): Tally {
  const time = new Map<number, number>();
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
    if (!first.has(id)) first.set(id, at);
    last.set(id, at);
  });
  const byFile = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const phases = new Map<string, [number, number]>();
  const callers = new Map<string, number>();
  const parents = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) {
    const { file, name } = original(n.callFrame);
    const ms = time.get(n.id) ?? 0;
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
    const key = `${name || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    if (ms > 0 && CALLERS.includes(name)) {
      let a = parents.get(n.id);
      while (a && !original(a.callFrame).file.startsWith('src/')) a = parents.get(a.id);
      const caller = a ? original(a.callFrame) : { file: '(none)', name: '' };
      const by = `${name} ← ${caller.name || '(anonymous)'} ${caller.file}`;
      callers.set(by, (callers.get(by) ?? 0) + ms);
    }
    if (!first.has(n.id)) continue;
    // A sample counts for every phase on its stack.
    for (let a: ProfileNode | undefined = n; a; a = parents.get(a.id)) {
      const phase = original(byId.get(a.id)!.callFrame).name;
      if (!PHASES.includes(phase)) continue;
      const span = phases.get(phase) ?? [Infinity, -Infinity];
      phases.set(phase, [Math.min(span[0], first.get(n.id)!), Math.max(span[1], last.get(n.id)!)]);
    }
  }
  return { byFile, byFunction, phases, callers, sampled: [...time.values()].reduce((a, b) => a + b, 0) };
}

/** Prints a thread's tallies: self times as the mean over the runs, the span and phases of the first run. */
function summarise(label: string, profiles: Profile[], origin: number): void {
  const tallies = profiles.map(tally);
  const mean = (pick: (t: Tally) => Map<string, number>) => {
    const sum = new Map<string, number>();
    for (const t of tallies) for (const [k, v] of pick(t)) sum.set(k, (sum.get(k) ?? 0) + v / tallies.length);
    return sum;
  };
  const [profile, { phases }] = [profiles[0]!, tallies[0]!];
  const ms = (us: number) => ((us - origin) / 1000).toFixed(0).padStart(6);
  const sampled = tallies.reduce((a, t) => a + t.sampled, 0) / tallies.length;
  const runs = tallies.length > 1 ? `, mean of ${tallies.length} runs` : '';
  console.log(
    `\n== ${label}: ${ms(profile.startTime)} → ${ms(profile.endTime)} ms, ${sampled.toFixed(0)} ms sampled${runs}`,
  );
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${v.toFixed(1).padStart(8)}  ${k}`);
  const rows = Number(process.env.AAM_PROFILE_ROWS ?? 18);
  console.log(
    [
      'self time by source file:',
      ...top(
        mean((t) => t.byFile),
        rows,
      ),
      'self time by function:',
      ...top(
        mean((t) => t.byFunction),
        rows,
      ),
      ...(CALLERS.length > 0
        ? [
            'their callers in src/ (AAM_PROFILE_CALLERS):',
            ...top(
              mean((t) => t.callers),
              rows,
            ),
          ]
        : []),
    ].join('\n'),
  );
  const spans = [...phases].sort((a, b) => a[1][0] - b[1][0]);
  if (spans.length > 0)
    console.log(
      ['phases (first → last sample):', ...spans.map(([p, [a, b]]) => `  ${ms(a)} → ${ms(b)}  ${p}`)].join('\n'),
    );
}

const [given, ...names] = process.argv.slice(2);
if (!given) throw new Error('usage: node bench/profile.ts WORLD [NAME...]');
const world = resolve(given);
const bench = names[0] === '--bench' ? names.slice(1) : undefined;
if (bench && bench.length < 2) throw new Error('usage: node bench/profile.ts WORLD --bench SCRIPT MODE [ARG...]');
// AAM_PROFILE_RUNS=N profiles N runs and prints each thread's mean self times (one run is mostly noise).
const runs = Math.max(1, Number(process.env.AAM_PROFILE_RUNS ?? 1));
const byThread: Profile[][] = [];
for (let r = 0; r < runs; r++) {
  const dir = mkdtempSync(join(tmpdir(), 'aam-bench-profile-'));
  try {
    rmSync(join(world, 'home', '.aam', 'cache', 'verified'), { recursive: true, force: true });
    const started = performance.now();
    const profiling = ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250'];
    const run = bench
      ? spawnSync(node, [...profiling, join(repo, 'bench', bench[0]!), bench[1]!, world, ...bench.slice(2)], {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
        })
      : spawnSync(node, [...profiling, CLI, 'verify', '--no-cache', '--json', ...names], {
          cwd: join(world, 'project'),
          env: worldEnv(world),
          encoding: 'utf8',
          maxBuffer: 64 << 20,
        });
    const summary = bench
      ? run.status === 0
        ? run.stdout.trim().slice(0, 200)
        : run.stderr
      : run.status === 0 || run.status === 1
        ? (JSON.parse(run.stdout) as { summary: { line: string } }).summary.line
        : run.stderr;
    console.log(
      `${bench ? bench.join(' ') : `aam-trust verify ${names.join(' ') || '(all)'}`}: ${summary} (exit ${run.status}), ${(performance.now() - started).toFixed(0)} ms with profiling`,
    );
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
    const files = readdirSync(dir).sort((a, b) => Number(a.split('.')[4]) - Number(b.split('.')[4]));
    files.forEach((f, i) => (byThread[i] ??= []).push(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const origin = byThread[0]![0]!.startTime;
byThread.forEach((profiles, i) => summarise(i === 0 ? 'main thread' : `worker ${i}`, profiles, origin));
