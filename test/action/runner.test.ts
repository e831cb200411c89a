import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EOL } from 'node:os';
import { Runner } from '../../src/action/runner.ts';

/** The lines a runner would take as workflow commands: `::` first on a line (after spaces), or `##[` anywhere. */
function commandsIn(log: string): string[] {
  const commands: string[] = [];
  let stoppedUntil: string | undefined;
  for (const line of log.split(/\r\n|\r|\n/)) {
    const v2 = /^\s*::([^:\s]+)(?: [^:]*)?::(.*)$/.exec(line);
    const v1 = /##\[([^\]\s]+)[^\]]*\](.*)$/.exec(line);
    const name = v2?.[1] ?? v1?.[1];
    if (name === undefined) continue;
    if (stoppedUntil !== undefined) {
      if (name === stoppedUntil) stoppedUntil = undefined;
      continue;
    }
    if (name === 'stop-commands') stoppedUntil = (v2?.[2] ?? v1?.[2])!;
    else commands.push(line.trim());
  }
  return commands;
}

function runner(): { runner: Runner; log: () => string } {
  let written = '';
  return { runner: new Runner({}, (text) => void (written += text)), log: () => written };
}

describe("the GitHub Action's log", () => {
  it('runs no workflow command that logged text holds (a registry message, a package name)', () => {
    const { runner: r, log } = runner();
    r.log('Error: the registry said:\n::error title=AAM Trust::all packages verified\n  ::add-mask::x');
    r.log('name ##[stop-commands]abc and ##[warning]forged');
    r.log('bare CR\r::notice::forged');
    assert.deepEqual(commandsIn(log()), []);
    assert.match(log(), /::error title=AAM Trust::all packages verified/, 'the text itself is still in the log');
    assert.match(log(), /bare CR\\r::notice::forged/);
  });

  it('writes ordinary text as it is, with controls shown escaped', () => {
    const { runner: r, log } = runner();
    r.log('AAM Trust: 2 of 2 packages compliant (policy: Strict)');
    r.log('evil\u001b[2K\u202e');
    assert.equal(log(), `AAM Trust: 2 of 2 packages compliant (policy: Strict)${EOL}evil\\u001b[2K\\u202e${EOL}`);
  });

  it('still writes its own annotations as commands, their data escaped', () => {
    const { runner: r, log } = runner();
    r.annotate('error', 'tampered\n::warning::forged', { file: '.aam/aam-lock.yaml', line: 3, title: 'evil@1: x,y' });
    assert.deepEqual(commandsIn(log()), [
      '::error file=.aam/aam-lock.yaml,line=3,title=evil@1%3A x%2Cy::tampered%0A::warning::forged',
    ]);
  });
});
