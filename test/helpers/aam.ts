import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureAamCli } from '../../scripts/tools.ts';

export interface AamRun {
  code: number;
  stdout: string;
  stderr: string;
}

let bin: Promise<string> | undefined;

/**
 * Runs the real `aam` CLI (installed into the cache folder by the test setup)
 * with `home` as its HOME, so its ~/.aam is the test's.
 */
export async function aam(args: string[], options: { cwd: string; home: string }): Promise<AamRun> {
  const executable = await (bin ??= ensureAamCli());
  return new Promise((resolve) => {
    execFile(
      executable,
      args,
      {
        cwd: options.cwd,
        env: {
          PATH: process.env.PATH,
          HOME: options.home,
          NO_COLOR: '1',
          TERM: 'dumb',
          COLUMNS: '200',
          PYTHONIOENCODING: 'utf-8',
        },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Runs aam and fails the test with its output when it does not exit 0. */
export async function aamOk(args: string[], options: { cwd: string; home: string }): Promise<string> {
  const run = await aam(args, options);
  if (run.code !== 0) throw new Error(`aam ${args.join(' ')} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/**
 * A package source folder with one artifact of every kind (a skill with an
 * executable script, an agent with agent.yaml and a system prompt, a prompt,
 * an instruction), as aam's adapters deploy them.
 */
export async function writeRichPackage(
  dir: string,
  name: string,
  version: string,
  options: { dependencies?: Record<string, string>; tag?: string } = {},
): Promise<string> {
  const tag = options.tag ?? name.replace(/[@/]/g, '');
  await mkdir(join(dir, 'skills', 'hello'), { recursive: true });
  await mkdir(join(dir, 'agents', 'helper'), { recursive: true });
  await mkdir(join(dir, 'prompts'), { recursive: true });
  await mkdir(join(dir, 'instructions'), { recursive: true });
  const deps =
    options.dependencies && Object.keys(options.dependencies).length > 0
      ? `dependencies:\n${Object.entries(options.dependencies)
          .map(([d, c]) => `  '${d}': '${c}'`)
          .join('\n')}\n`
      : '';
  await writeFile(
    join(dir, 'aam.yaml'),
    `name: '${name}'
version: ${version}
description: Package ${name}
author: Alice
license: MIT
${deps}artifacts:
  agents:
    - name: helper-${tag}
      path: agents/helper
      description: A helper agent
  skills:
    - name: hello-${tag}
      path: skills/hello
      description: Says hello
  prompts:
    - name: greet-${tag}
      path: prompts/greet.md
      description: A greeting prompt
  instructions:
    - name: style-${tag}
      path: instructions/style.md
      description: Style rules
`,
  );
  await writeFile(
    join(dir, 'skills', 'hello', 'SKILL.md'),
    `---\nname: hello\ndescription: Says hello\n---\n# Hello from ${name}\n`,
  );
  await writeFile(join(dir, 'skills', 'hello', 'run.sh'), 'echo hi\r\n');
  await chmod(join(dir, 'skills', 'hello', 'run.sh'), 0o755);
  await writeFile(
    join(dir, 'agents', 'helper', 'agent.yaml'),
    `name: helper\ndescription: A helper agent\nsystem_prompt: system-prompt.md\nskills:\n  - hello-${tag}\nprompts:\n  - greet-${tag}\n`,
  );
  await writeFile(join(dir, 'agents', 'helper', 'system-prompt.md'), 'You are a helper.\r\nBe brief.   \n\n');
  await writeFile(join(dir, 'prompts', 'greet.md'), 'Greet the user.\r\n');
  await writeFile(join(dir, 'instructions', 'style.md'), 'Use short sentences.\n\n\n');
  return dir;
}
