import { runAction } from './action/main.ts';
import { Runner } from './action/runner.ts';

// The GitHub Action's entry point (action.yml runs `node dist/action.js`): the step's exit status is its verdict.
runAction(new Runner(process.env, (text) => process.stdout.write(text))).then((code) => {
  process.exitCode = code;
});
