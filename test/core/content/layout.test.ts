import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SECRET, hidesSecret as hidden } from '../../helpers/hiding-styles.ts';

/**
 * How a box is laid out decides what is painted behind its text (layout.ts): diff26-review's cases, each rendered
 * in Chromium 156 (/work/notes/diff26-review). A browser drops a declaration it cannot read (H1); a <col> in
 * foreign content closes no cell (H2); a box is moved by transforms and margins of every kind (M1, M2); displays
 * of every form, and the boxes a flex or grid container or taking a box out of the flow makes blocks (M4, M8); a
 * box sized as if empty or no line high holds no text (M5); a table's parts and inline boxes are not sized by
 * their width and height (M7); a nudge moves nothing (M6). And the second round
 * (/work/notes/diff27-review): any declaration counts, valid or not (A1, A2); a <col> after an <svg/> left open
 * still closes its cell (A6); transforms of every kind (A4); blocks by name (A7), flex items (A8); A10 in time.
 */
describe('the layout of the boxes around a text', () => {
  it('white on white in Chromium: reported', () => {
    const cases: Record<string, string> = {
      position: `<div style="background:#fff;padding:40px"><div style="background:#000"><span style="position:absolute;position:nowhere;color:#fff">${SECRET}</span></div></div>`,
      relative: `<div style="background:#fff;padding:40px"><div style="background:#000"><span style="position:relative;position:x;top:-30px;color:#fff">${SECRET}</span></div></div>`,
      float: `<div style="background:#fff;padding:40px"><div style="background:#000"><span style="float:left;float:x;color:#fff">${SECRET}</span></div></div>`,
      margin: `<div style="background:#fff;padding:40px 0"><div style="background:#000;padding-top:1px"><div style="margin-top:-40px;margin-top:x;color:#fff">${SECRET}</div></div></div>`,
      display: `<div style="background:#fff;padding:20px"><div style="display:inline;display:x;background:#000"><div style="color:#fff">${SECRET}</div></div></div>`,
      height: `<div style="background:#fff;padding:40px 20px"><div style="background:#000;height:1px;height:x"><div style="color:#fff">${SECRET}</div></div></div>`,
      template: `<table><tr><td style="background:#fff"><template><col></template><font color="#ffffff">${SECRET}</font></td></tr></table>`,
      svg: `<table><tr><td style="background:#fff"><svg width=1 height=1><col/></svg><font color="#ffffff">${SECRET}</font></td></tr></table>`,
      math: `<table><tr><td style="background:#fff"><math><col/></math><font color="#ffffff">${SECRET}</font></td></tr></table>`,
      rotateFn: `<div style="background:#fff;padding:60px 20px"><div style="background:#000"><div style="width:fit-content;transform:rotate(180deg);transform-origin:50% -8px;color:#fff">${SECRET}</div></div></div>`,
      rotateProp: `<div style="background:#fff;padding:60px 20px"><div style="background:#000"><div style="width:fit-content;rotate:180deg;transform-origin:50% -8px;color:#fff">${SECRET}</div></div></div>`,
      scaleProp: `<div style="background:#fff;padding:60px 20px"><div style="background:#000"><div style="scale:1 -1;transform-origin:0 -8px;color:#fff">${SECRET}</div></div></div>`,
      scaleFn: `<div style="background:#fff;padding:60px 20px"><div style="background:#000"><div style="transform:scaleY(-1);transform-origin:0 -8px;color:#fff">${SECRET}</div></div></div>`,
      rotateX: `<div style="background:#fff;padding:60px 20px"><div style="background:#000"><div style="transform:rotateX(180deg);transform-origin:0 -8px;color:#fff">${SECRET}</div></div></div>`,
      offsetPath: `<div style="background:#fff;padding:60px 20px"><div style="background:#000"><div style="width:fit-content;offset-path:path('M40,-30 h1');offset-rotate:0deg;color:#fff">${SECRET}</div></div></div>`,
      positionVar: `<div style="background:#fff;padding:40px"><div style="background:#000"><span style="--p:absolute;position:var(--p);color:#fff">${SECRET}</span></div></div>`,
      floatVar: `<div style="background:#fff;padding:40px"><div style="background:#000"><span style="--f:left;float:var(--f);color:#fff">${SECRET}</span></div></div>`,
      positionInherit: `<div style="background:#fff;padding:40px"><div style="background:#000;position:relative"><span style="position:inherit;left:0;top:-30px;color:#fff">${SECRET}</span></div></div>`,
      marginInline: `<div style="background:#fff;padding:40px 0"><div style="background:#000;width:300px;margin-left:400px"><div style="margin-inline:-400px 0;color:#fff">${SECRET}</div></div></div>`,
      rtlMarginRight: `<div style="background:#fff;padding:40px 0"><div dir="rtl" style="background:#000;width:300px"><div style="margin-right:-500px;color:#fff">${SECRET}</div></div></div>`,
      columnReverse: `<div style="background:#fff;padding:60px 0"><div style="background:#000;display:flex;flex-direction:column-reverse"><div style="margin-bottom:-40px;color:#fff">${SECRET}</div></div></div>`,
      var: `<div style="background:#fff;padding:20px"><div style="--d:inline;display:var(--d);background:#000"><div style="color:#fff">${SECRET}</div></div></div>`,
      initial: `<div style="background:#fff;padding:20px"><div style="display:initial;background:#000"><div style="color:#fff">${SECRET}</div></div></div>`,
      unset: `<div style="background:#fff;padding:20px"><div style="display:unset;background:#000"><div style="color:#fff">${SECRET}</div></div></div>`,
      inherit: `<div style="background:#fff;padding:20px"><span><div style="display:inherit;background:#000"><div style="color:#fff">${SECRET}</div></div></span></div>`,
      displayMath: `<div style="background:#fff;padding:20px"><div style="display:math;background:#000"><div style="color:#fff">${SECRET}</div></div></div>`,
      inlineFlowRoot: `<div style="background:#000;padding:20px"><span style="display:inline flow-root;background:#fff"><div style="color:#fff">${SECRET}</div></span></div>`,
      inlineFlex: `<div style="background:#000;padding:20px"><span style="display:inline flex;background:#fff"><div style="color:#fff">${SECRET}</div></span></div>`,
      blockFlow: `<div style="background:#000;padding:20px"><span style="display:block flow;background:#fff"><div style="color:#fff">${SECRET}</div></span></div>`,
      listItemBlock: `<div style="background:#000;padding:20px"><span style="display:list-item block;background:#fff"><div style="color:#fff">${SECRET}</div></span></div>`,
      tableCell: `<div style="background:#000;padding:20px"><span style="display:table-cell;background:#fff"><div style="color:#fff">${SECRET}</div></span></div>`,
      tableCaption: `<div style="background:#000;padding:20px"><span style="display:table-caption;background:#fff"><div style="color:#fff">${SECRET}</div></span></div>`,
      webkitBox: `<div style="background:#000;padding:20px"><span style="display:-webkit-box;background:#fff"><div style="color:#fff">${SECRET}</div></span></div>`,
      flexItem: `<div style="background:#000;padding:20px;display:flex"><span style=";background:#fff"><div style="color:#fff">${SECRET}</div></span></div>`,
      containSize: `<div style="background:#fff;padding:40px 20px"><div style="background:#000;contain:size"><div style="color:#fff">${SECRET}</div></div></div>`,
      lineHeight0: `<div style="background:#fff;padding:40px 20px"><div style="background:#000;line-height:0"><span style="color:#fff">${SECRET}</span></div></div>`,
    };
    for (const [name, html] of Object.entries(cases)) assert.ok(hidden(html), `${name}: ${html}`);
  });

  it('shown in Chromium: not reported', () => {
    const cases: Record<string, string> = {
      translateZ: `<div style="background:#fff;padding:16px"><div style="background:#1f2328;color:#fff;padding:16px"><div style="transform:translateZ(0)">${SECRET} smooth</div></div></div>`,
      translateY1px: `<div style="background:#fff;padding:16px"><div style="background:#1f2328;color:#fff;padding:16px"><span style="display:inline-block;transform:translateY(-1px)">${SECRET} icon</span></div></div>`,
      superscript: `<div style="background:#fff;padding:16px"><div style="background:#1f2328;color:#fff;padding:16px">Price 10<span style="position:relative;top:-0.5em;font-size:75%">${SECRET}</span></div></div>`,
      negativeMargin: `<div style="background:#fff;padding:16px"><div style="background:#1f2328;color:#fff;padding:16px"><h3 style="margin-top:-10px">${SECRET} title</h3></div></div>`,
      tdWidth1px: `<table style="background:#fff"><tr><td style="background:#1f2328;color:#fff;width:1px;white-space:nowrap">${SECRET} label</td><td style="color:#1f2328">value</td></tr></table>`,
      tdHeight1px: `<table style="background:#fff;height:1px"><tr><td style="background:#1f2328;color:#fff;height:1px">${SECRET} cell</td></tr></table>`,
      rowHeight1px: `<table><col bgcolor="#ffffff"><tr style="background:#000;height:1px"><td><font color="#ffffff">${SECRET}</font></td></tr></table>`,
      shrinkWrapTable: `<div style="background:#fff;padding:8px"><div style="display:table;width:1px;background:#1f2328;color:#fff;padding:4px">${SECRET} shrink-wrapped</div></div>`,
      inlineHeight: `<div style="background:#fff;padding:16px"><span style="background:#1f2328;color:#fff;height:2px;padding:2px 6px">${SECRET} badge</span></div>`,
      ie6FloatIdiom: `<div style="background:#fff;padding:16px"><div style="float:left;display:inline;background:#1f2328;margin-left:10px"><p style="color:#fff">${SECRET} sidebar</p></div></div>`,
      flexItem: `<div style="background:#fff;display:flex;gap:8px"><div style="display:inline;background:#1f2328;padding:8px"><p style="color:#fff">${SECRET} card</p></div></div>`,
      gridItem: `<div style="background:#fff;padding:20px;display:grid"><div style="display:inline;background:#000"><div style="color:#fff">${SECRET}</div></div></div>`,
      absolute: `<div style="background:#fff;padding:20px;height:60px;position:relative"><div style="display:inline;position:absolute;background:#000"><div style="color:#fff">${SECRET}</div></div></div>`,
    };
    for (const [name, html] of Object.entries(cases)) assert.ok(!hidden(html), `${name}: ${html}`);
  });

  it('diff27-review: every declaration counts, moves of every kind, foreign content, display forms: reported', () => {
    const cases: Record<string, string> = {
      'A1-displayBlockInline': `<div style="background:#fff;padding:20px"><div style="display:inline;display:block inline;background:#000"><div style="color:#fff">${SECRET}</div></div></div>`,
      'A1-displayInlineInline': `<div style="background:#fff;padding:20px"><div style="display:inline;display:inline inline;background:#000"><div style="color:#fff">${SECRET}</div></div></div>`,
      'A1-displayRubyBaseContainer': `<div style="background:#fff;padding:20px"><div style="display:inline;display:ruby-base-container;background:#000"><div style="color:#fff">${SECRET}</div></div></div>`,
      'A1-displayInlineListItemOld': `<div style="background:#fff;padding:20px"><div style="display:inline;display:inline-list-item;background:#000"><div style="color:#fff">${SECRET}</div></div></div>`,
      'A1-webkitSticky': `<div style="background:#fff;padding:40px"><div style="background:#000"><span style="position:absolute;position:-webkit-sticky;color:#fff">${SECRET}</span></div></div>`,
      'A1-marginNone': `<div style="background:#fff;padding:40px 0"><div style="background:#000;padding-top:1px"><div style="margin-top:-40px;margin-top:none;color:#fff">${SECRET}</div></div></div>`,
      'A1-marginTwoValues': `<div style="background:#fff;padding:40px 0"><div style="background:#000;padding-top:1px"><div style="margin-top:-40px;margin-top:0 0;color:#fff">${SECRET}</div></div></div>`,
      'A1-topNone': `<div style="background:#fff;padding:40px"><div style="background:#000"><span style="position:relative;top:-30px;top:none;color:#fff">${SECRET}</span></div></div>`,
      'A1-heightNone': `<div style="background:#fff;padding:40px 20px"><div style="background:#000;height:1px;height:none"><div style="color:#fff">${SECRET}</div></div></div>`,
      'A1-heightTwoValues': `<div style="background:#fff;padding:40px 20px"><div style="background:#000;height:1px;height:0 0"><div style="color:#fff">${SECRET}</div></div></div>`,
      'A1-transformFoo': `<div style="background:#fff;padding:60px 20px"><div style="background:#000"><div style="transform:translateY(-40px);transform:foo;color:#fff">${SECRET}</div></div></div>`,
      'A1-scaleX': `<div style="background:#fff;padding:60px 20px"><div style="background:#000"><div style="scale:1 -1;scale:x;transform-origin:0 -8px;color:#fff">${SECRET}</div></div></div>`,
      'A1-rotateUnitless0': `<div style="background:#fff;padding:60px 20px"><div style="background:#000"><div style="width:fit-content;rotate:180deg;rotate:0;transform-origin:50% -8px;color:#fff">${SECRET}</div></div></div>`,
      'A2-marginDvh': `<div style="background:#fff;padding:80px 0"><div style="background:#000;padding-top:1px"><div style="margin-top:-10dvh;color:#fff">${SECRET}</div></div></div>`,
      'A2-marginRlh': `<div style="background:#fff;padding:80px 0"><div style="background:#000;padding-top:1px"><div style="margin-top:-2rlh;color:#fff">${SECRET}</div></div></div>`,
      'A2-marginWebkitCalc': `<div style="background:#fff;padding:40px 0"><div style="background:#000;padding-top:1px"><div style="margin-top:-webkit-calc(-40px);color:#fff">${SECRET}</div></div></div>`,
      'A2-marginRound': `<div style="background:#fff;padding:40px 0"><div style="background:#000;padding-top:1px"><div style="margin-top:round(-40px, 1px);color:#fff">${SECRET}</div></div></div>`,
      'A2-marginEnv': `<div style="background:#fff;padding:40px 0"><div style="background:#000;padding-top:1px"><div style="margin-top:env(nope, -40px);color:#fff">${SECRET}</div></div></div>`,
      'A2-topDvh': `<div style="background:#fff;padding:80px"><div style="background:#000"><span style="position:relative;top:-10dvh;color:#fff">${SECRET}</span></div></div>`,
      'A2-topRound': `<div style="background:#fff;padding:40px"><div style="background:#000"><span style="position:relative;top:round(-30px,1px);color:#fff">${SECRET}</span></div></div>`,
      'A3-inlineListItem': `<div style="background:#fff;padding:20px"><div style="display:inline list-item;background:#000"><div style="color:#fff">${SECRET}</div></div></div>`,
      'A3-listItemInline': `<div style="background:#fff;padding:20px"><div style="display:list-item inline;background:#000"><div style="color:#fff">${SECRET}</div></div></div>`,
      'A4-scaleCalcFn': `<div style="background:#fff;padding:60px 20px"><div style="background:#000"><div style="transform:scaleY(calc(-1));transform-origin:0 -8px;color:#fff">${SECRET}</div></div></div>`,
      'A4-scaleCalcProp': `<div style="background:#fff;padding:60px 20px"><div style="background:#000"><div style="scale:1 calc(-1);transform-origin:0 -8px;color:#fff">${SECRET}</div></div></div>`,
      'A4-scale4': `<div style="background:#fff;padding:20px 20px 200px"><div style="background:#000"><div style="transform:scale(4);transform-origin:0 -30px;color:#fff">${SECRET}</div></div></div>`,
      'A4-scale4Prop': `<div style="background:#fff;padding:20px 20px 200px"><div style="background:#000"><div style="scale:4;transform-origin:0 -30px;color:#fff">${SECRET}</div></div></div>`,
      'A4-perspectiveTranslateZ': `<div style="background:#fff;padding:20px 20px 200px"><div style="background:#000"><div style="transform:perspective(40px) translateZ(30px);transform-origin:0 -30px;color:#fff">${SECRET}</div></div></div>`,
      'A4-translate3dZUnderPerspective': `<div style="background:#fff;padding:20px 20px 200px"><div style="background:#000;perspective:40px;perspective-origin:0 -30px"><div style="transform:translate3d(0,0,30px);color:#fff">${SECRET}</div></div></div>`,
      'A4-transformInherit': `<div style="background:#fff;padding:100px 20px"><div style="background:#000;transform:translateY(-40px)"><div style="transform:inherit;color:#fff">${SECRET}</div></div></div>`,
      'A4-scaleInherit': `<div style="background:#fff;padding:60px 20px"><div style="background:#000;scale:1 -1;transform-origin:0 -30px"><div style="scale:inherit;transform-origin:inherit;color:#fff">${SECRET}</div></div></div>`,
      'A4-offsetShorthand': `<div style="background:#fff;padding:60px 20px"><div style="background:#000"><div style="width:fit-content;offset:path('M40,-30 h1') 0 0deg;color:#fff">${SECRET}</div></div></div>`,
      'A6-svgSelfClosed': `<svg/>

<div style="background:#fff;padding:20px"><table style="background:#fff"><tr><td style="background:#000"><col><font color="#ffffff">${SECRET}</font></td></tr></table></div>`,
      'A6-mathSelfClosed': `<math/>

<div style="background:#fff;padding:20px"><table style="background:#fff"><tr><td style="background:#000"><col><font color="#ffffff">${SECRET}</font></td></tr></table></div>`,
      'A6-foreignObjectTable': `<div style="background:#fff;padding:20px"><svg width="400" height="100"><foreignObject width="400" height="100"><table style="background:#fff"><tr><td style="background:#000"><col><font color="#ffffff">${SECRET}</font></td></tr></table></foreignObject></svg></div>`,
      'A7-legendHeight1px': `<div style="background:#fff;padding:40px 20px"><legend style="background:#000;height:1px;color:#fff">${SECRET}</legend></div>`,
      'A7-appletInline': `<div style="background:#fff;padding:20px"><applet style="background:#000"><div style="color:#fff">${SECRET}</div></applet></div>`,
      'A8-detailsFlex': `<div style="background:#fff;padding:20px"><details open style="display:flex"><summary>s</summary><span style="background:#000"><div style="color:#fff">${SECRET}</div></span></details></div>`,
    };
    for (const [name, html] of Object.entries(cases)) assert.ok(hidden(html), `${name}: ${html}`);
  });

  it('diff27-review: blocks by name, flex items, identities and nudges: not reported', () => {
    const cases: Record<string, string> = {
      'A7-legendBlockFP': `<div style="background:#fff;padding:16px"><legend style="background:#1f2328;padding:8px"><div style="color:#fff">${SECRET} title</div></legend></div>`,
      'A8-flexThroughContents': `<div style="background:#fff;padding:20px"><div style="display:flex"><div style="display:contents"><span style="background:#000"><div style="color:#fff">${SECRET}</div></span></div></div></div>`,
      'A8-webkitFlex': `<div style="background:#fff;padding:20px"><div style="display:-webkit-flex"><span style="background:#000"><div style="color:#fff">${SECRET}</div></span></div></div>`,
      'A9-inlineVerticalMargins': `<div style="background:#fff;padding:16px"><div style="background:#1f2328;padding:16px"><span style="margin-top:-20px;margin-bottom:-20px;color:#fff">${SECRET} badge</span></div></div>`,
      'A9-stickyHeader': `<div style="background:#fff;padding:16px"><div style="background:#1f2328;padding:16px"><div style="position:sticky;top:40px;color:#fff">${SECRET} header</div></div></div>`,
      'A9-translatePercent': `<div style="background:#fff;padding:16px"><div style="background:#1f2328;padding:16px"><span style="display:inline-block;transform:translateY(-5%);color:#fff">${SECRET} icon</span></div></div>`,
      'A9-marginPercent': `<div style="background:#fff;padding:16px"><div style="background:#1f2328;padding:16px"><div style="margin-top:-0.5%;color:#fff">${SECRET}</div></div></div>`,
      'A9-rotate0rad': `<div style="background:#fff;padding:16px"><div style="background:#1f2328;padding:16px"><div style="rotate:0rad;color:#fff">${SECRET}</div></div></div>`,
    };
    for (const [name, html] of Object.entries(cases)) assert.ok(!hidden(html), `${name}: ${html}`);
  });

  it('a transform of one long word is read once (diff27-review A10: 200 KB took 65 s)', () => {
    const started = performance.now();
    hidden(`<div style="transform:${'a'.repeat(200_000)}">${SECRET}</div>`);
    hidden(`<div style="display:block">x</div>${`<p style="transform:${'b'.repeat(20_000)}">x</p>\n`.repeat(50)}`);
    assert.ok(performance.now() - started < 5_000, `${Math.round(performance.now() - started)} ms`);
  });
});
