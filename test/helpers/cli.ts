import { runCli } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';

/** Runs the CLI in-process and captures what it prints. */
export async function cli(
  argv: string[],
  options: {
    cwd: string;
    home: string;
    env?: Record<string, string>;
    lines?: (prompt: string, printed: () => string) => Promise<string | undefined>;
    answer?: string;
  },
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: options.env ?? {},
    cwd: options.cwd,
    homeDir: options.home,
    color: false,
    askSecret: async () => undefined,
    askLine: async (prompt) => (options.lines ? options.lines(prompt, () => stderr) : undefined),
    ask: async (prompt) => {
      stderr += prompt;
      return options.answer;
    },
    openUrl: async () => undefined,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
