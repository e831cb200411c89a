import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { manifestMismatch, parseManifest } from '../../../src/core/package/manifest.ts';

/**
 * A verification reads one manifest text up to three times; its YAML value is
 * parsed once and shared. What each caller gets must still be its own.
 */
describe('one manifest text read more than once', () => {
  const text = (name: string) =>
    `name: "@a/${name}"\nversion: 1.0.0\ndescription: "A"\nkeywords: [x]\ndependencies:\n  "@a/dep": "^1.0.0"\nartifacts:\n  prompts:\n    - name: p\n      path: prompts/p.md\n      description: A prompt\n`;

  it('gives each caller a manifest of its own: changing one does not change the next', () => {
    const first = parseManifest(text('one'));
    first.artifacts.prompts[0]!.name = 'changed';
    first.artifacts.prompts.push({ name: 'q', path: 'q.md', description: '' });
    first.keywords.push('y');
    first.dependencies['@a/other'] = '1.0.0';
    const second = parseManifest(text('one'));
    assert.deepEqual(second.artifacts.prompts, [{ name: 'p', path: 'prompts/p.md', description: 'A prompt' }]);
    assert.deepEqual(second.keywords, ['x']);
    assert.deepEqual(second.dependencies, { '@a/dep': '^1.0.0' });
    assert.equal(manifestMismatch(text('one'), '@a/one', '1.0.0'), undefined);
  });

  it('reads another text as that text, in turn and back again', () => {
    assert.equal(parseManifest(text('one')).name, '@a/one');
    assert.equal(parseManifest(text('two')).name, '@a/two');
    assert.equal(manifestMismatch(text('two'), '@a/one', '1.0.0'), 'its aam.yaml says @a/two@1.0.0');
    assert.equal(parseManifest(text('one')).name, '@a/one');
  });

  it('still refuses an invalid text each time it is asked', () => {
    const bad = 'name: "@a/x"\nversion: one\n';
    for (let i = 0; i < 2; i++) assert.throws(() => parseManifest(bad), /MAJOR\.MINOR\.PATCH/);
    assert.throws(() => parseManifest('a: [\n'), /not valid YAML|cannot be read/);
    assert.throws(() => parseManifest('a: [\n'), /not valid YAML|cannot be read/);
  });
});
