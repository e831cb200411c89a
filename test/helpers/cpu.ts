/**
 * The CPU time this process spent since `started` (a `process.cpuUsage()`), in
 * ms: a bound on the work a hostile input causes that other processes on a
 * loaded machine (CI's two cores) do not move, as they move wall time.
 */
export function cpuMsSince(started: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(started);
  return (user + system) / 1000;
}
