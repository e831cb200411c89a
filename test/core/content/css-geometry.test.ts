import { describe, it } from 'node:test';
import { hidden, shown } from '../../helpers/hiding-styles.ts';

/**
 * diff39-review E8-E10, F1: CSS math worked out, transforms composed, clip paths and boxes that leave nothing of the
 * text, each as Chromium draws it (/work/notes/diff39-review; the honest ones in /work/notes/today/css-run.txt).
 */
describe('styles that take text off the page, worked out', () => {
  it('CSS math: calc(), min(), max() and clamp() of numbers, lengths and percentages (E8)', () => {
    hidden(['opacity:calc(0)', 'opacity:calc(0.5 - 0.5)', 'font-size:calc(1px - 1px)', 'font-size:calc(1em / 100)']);
    hidden(['font-size:min(0px, 1em)', 'font-size:clamp(0px, 0px, 2px)', 'opacity:max(0, calc(0 * 5))']);
    // `1px -1px` is two values, not a difference: the declaration is dropped; a sum of a length and a percentage is not known here.
    shown([
      'opacity:calc(1 - 0.2)',
      'font-size:calc(1em + 2px)',
      'font-size:calc(1px -1px)',
      'font-size:calc(1px + 1%)',
    ]);
  });

  it('transforms composed in order: squashed, edge-on, behind the viewer, or moved off the top or the left (E9)', () => {
    hidden([
      'transform:matrix(0,0,0,0,0,0)',
      'transform:rotateX(90deg)',
      'transform:rotateX(0.25turn)',
      'transform:rotate(180deg) translate(9999px)',
      'transform:perspective(10px) translateZ(20px)',
      'transform:translateX(-9999px)',
      'transform:translate(-50%) scale(0)',
    ]);
    shown([
      'transform:rotate(90deg)',
      'transform:scale(-1, 1)',
      'transform:rotateY(180deg)',
      'transform:translate(-50%, 0)',
      'transform:perspective(500px) translateZ(100px)',
      'transform:matrix(1,0,0,1,0,0)',
      'transform:rotate(0deg) translate(100px)',
      'transform:skewX(20deg)',
    ]);
  });

  it('logical offsets, a fixed box past the viewport, and clip paths with no room (E10)', () => {
    hidden([
      'position:absolute;inset-inline-start:-9999px',
      'position:absolute;inset-block-start:-9999px',
      'margin-inline-start:-9999px',
      'position:fixed;left:100%',
      'position:fixed;top:99999px',
      'block-size:0;overflow:hidden',
      'clip-path:inset(0 100% 0 0)',
      'clip-path:inset(50% 0)',
      'clip-path:polygon(0 0,0 0,0 0)',
      'clip-path:polygon(0% 0%, 100% 0%, 50% 0%)',
    ]);
    shown([
      'position:fixed;top:10px;left:10px',
      'position:absolute;left:100%',
      'margin-inline-start:20px',
      'contain:strict;height:60px',
      'position:static;inset-inline-start:-9999px',
      'margin-block:0 -2000px',
      'contain:content',
      'clip-path:inset(2px 4px)',
      'clip-path:polygon(50% 0%, 100% 50%, 50% 100%, 0% 50%)',
    ]);
  });

  it('a box of no size hides its text only where what overflows it is cut (F1)', () => {
    hidden([
      'height:0;overflow:hidden',
      'height:0;overflow:auto',
      'max-width:0;overflow:clip',
      'width:1px;overflow:scroll',
    ]);
    shown(['height:0', 'max-width:0', 'overflow:auto;max-height:300px', 'overflow:scroll;height:40px']);
    // Per axis: one hidden makes the other's visible scroll; clip leaves it visible (diff40-review F12).
    hidden(['height:0;overflow-x:hidden', 'width:0;overflow:visible hidden', 'height:0;overflow-y:clip']);
    shown(['height:0;overflow-x:clip', 'height:0;overflow:clip visible', 'width:0;overflow-y:clip']);
  });
});
