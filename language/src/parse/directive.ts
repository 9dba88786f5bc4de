// Assembler directives: bits, org, section/segment, default, align/alignb, struc/endstruc,
// istruc/at/iend and absolute (the last ones are nasm standard macros, built in here).
import type { Token } from '../lex/tokens';
import { splitCommas, type Body, type Span, type Statement, type StatementParser } from './statement';

export function parseDirective(p: StatementParser, w: string, toks: readonly Token[], i: number, span: Span, st: Statement | undefined): Body {
  const rest = i + 1;
  switch (w) {
    case 'bits': {
      const value = p.expr(toks, rest, toks.length, toks[i]);
      return value ? { k: 'bits', value, ...span } : { k: 'none' };
    }
    case 'use64':
      return { k: 'ignored', ...span };
    case 'use32':
    case 'use16':
      return p.fail(toks[i], 'only 64-bit code is supported');
    case 'org': {
      const value = p.expr(toks, rest, toks.length, toks[i]);
      return value ? { k: 'org', value, ...span } : { k: 'none' };
    }
    case 'section':
    case 'segment':
      return section(p, toks, rest, span);
    case 'default': {
      const a = toks[rest]?.text.toLowerCase();
      if (a === 'rel' || a === 'abs') return { k: 'default', rel: a === 'rel', ...span };
      return p.fail(toks[rest] ?? toks[i], "'default' expects 'rel' or 'abs'");
    }
    case 'align':
    case 'alignb': {
      const parts = splitCommas(toks, rest);
      if (parts.length === 0) return p.fail(toks[i], 'alignment expected');
      const boundary = p.expr(toks, parts[0][0], parts[0][1], toks[i]);
      if (!boundary) return { k: 'none' };
      let fill: Body | undefined;
      if (parts.length > 1) {
        fill = p.body(toks, parts[1][0], undefined);
        if (fill.k === 'none') return fill;
      }
      return { k: 'align', boundary, fill, b: w === 'alignb', ...span };
    }
    case 'struc': {
      const name = toks[rest];
      if (!name || name.kind !== 'ident' || !st) return p.fail(name ?? toks[i], 'structure name expected');
      const parts = splitCommas(toks, rest);
      const base = parts.length > 1 ? p.expr(toks, parts[1][0], parts[1][1], toks[i]) : undefined;
      // `struc NAME` defines NAME (at the base offset) and makes `.field` local to it.
      st.label = { name: name.text, col: name.col, end: name.end };
      p.state.lastGlobal = name.text;
      p.state.struc = name.text;
      return { k: 'struc', base, ...span };
    }
    case 'endstruc':
      if (!p.state.struc || !st) return p.fail(toks[i], "'endstruc' without 'struc'");
      st.label = { name: `${p.state.struc}_size`, col: toks[i].col, end: toks[i].end };
      p.state.struc = undefined;
      return { k: 'endstruc', ...span };
    case 'absolute': {
      const value = p.expr(toks, rest, toks.length, toks[i]);
      return value ? { k: 'absolute', value, ...span } : { k: 'none' };
    }
    case 'istruc': {
      const name = toks[rest];
      if (!name || name.kind !== 'ident') return p.fail(name ?? toks[i], 'structure name expected');
      p.state.istruc = name.text;
      return { k: 'istruc', name: name.text, ...span };
    }
    case 'at': {
      const parts = splitCommas(toks, rest);
      if (parts.length === 0) return p.fail(toks[i], 'field expected');
      const field = p.expr(toks, parts[0][0], parts[0][1], toks[i]);
      if (!field) return { k: 'none' };
      const fill = parts.length > 1 ? p.body(toks, parts[1][0], undefined) : undefined;
      return { k: 'at', field, fill, ...span };
    }
    case 'iend':
      if (!p.state.istruc) return p.fail(toks[i], "'iend' without 'istruc'");
      p.state.istruc = undefined;
      return { k: 'iend', ...span };
    default:
      return { k: 'ignored', ...span };
  }
}

function section(p: StatementParser, toks: readonly Token[], i: number, span: Span): Body {
  const nameTok = toks[i];
  if (!nameTok) return p.fail(span, 'section name expected');
  let j = i + 1;
  let name = nameTok.text;
  // Names like `.text` are one token; join pieces written without spaces (e.g. `.data.rel`).
  while (j < toks.length && toks[j].col === toks[j - 1].end && toks[j].text !== '=') name += toks[j++].text;
  const body: Body = { k: 'section', name, ...span };
  while (j < toks.length) {
    const key = toks[j].text.toLowerCase();
    if (key === 'nobits' || key === 'progbits') {
      body.nobits = key === 'nobits';
      j++;
    } else if (toks[j + 1]?.text === '=') {
      let e = j + 2;
      while (e < toks.length && !(toks[e].kind === 'ident' && toks[e + 1]?.text === '=') && toks[e].text !== 'nobits' && toks[e].text !== 'progbits') e++;
      if (key === 'align') body.align = p.expr(toks, j + 2, e, toks[j]);
      else if (key !== 'vstart' && key !== 'start' && key !== 'follows' && key !== 'vfollows') p.fail(toks[j], `unknown section attribute '${toks[j].text}'`, 'warning');
      j = e;
    } else {
      p.fail(toks[j], `unknown section attribute '${toks[j].text}'`, 'warning');
      j++;
    }
  }
  return body;
}
