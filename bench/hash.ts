/**
 * SHA-256 of a large file the way the engine hashes archives (streamed),
 * with the process's peak RSS. Run as its own process: node bench/hash.ts FILE
 */
import { sha256File } from '../src/core/archive/hash.ts';

const started = performance.now();
const digest = await sha256File(process.argv[2]!);
process.stdout.write(
  `${JSON.stringify({ ms: performance.now() - started, digest, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
