// The preprocessor directives other than conditionals and body collection: %define family,
// %undef, %assign, %include, %error/%warning/%fatal and the no-op ones.
import type { Token } from '../lex/tokens';
import { decodeString } from '../lex/literals';
import type { Loc } from '../diagnostics';
import type { BodyLine } from './mmacro';
import type { Preprocessor } from './preprocessor';
import { dirname, joinPath } from './paths';

const MAX_INCLUDE_DEPTH = 32;
const IGNORED = new Set(['%line', '%pragma', '%use', '%clear']);

export function runDirective(pp: Preprocessor, d: string, tokens: readonly Token[], loc: (t: Token | undefined) => Loc, body: BodyLine, site: Loc | undefined): void {
  switch (d) {
    case '%define':
    case '%idefine':
    case '%xdefine':
    case '%ixdefine':
      return define(pp, d, tokens, loc);
    case '%undef':
      if (tokens[1]?.kind !== 'ident') return pp.error(loc(tokens[1] ?? tokens[0]), 'macro name expected');
      return pp.defines.undef(tokens[1].text);
    case '%assign':
    case '%iassign': {
      const name = tokens[1];
      if (name?.kind !== 'ident') return pp.error(loc(name ?? tokens[0]), 'macro name expected');
      const v = pp.evalNumber(tokens.slice(2), loc, name);
      if (v === undefined) return;
      const at = { col: name.col, end: name.end };
      const num: Token = { kind: 'number', text: (v < 0n ? -v : v).toString(), ...at };
      const bodyTokens: Token[] = v < 0n ? [{ kind: 'op', text: '(', ...at }, { kind: 'op', text: '-', ...at }, num, { kind: 'op', text: ')', ...at }] : [num];
      return pp.defines.define({ name: name.text, params: null, body: bodyTokens, caseless: d === '%iassign' });
    }
    case '%include':
      return include(pp, tokens, loc, body, site);
    case '%error':
    case '%fatal':
    case '%warning': {
      const text = message(tokens.slice(1));
      if (d === '%warning') pp.warning(loc(tokens[0]), text);
      else pp.error(loc(tokens[0]), text);
      if (d === '%fatal') pp.stop();
      return;
    }
    case '%exitrep':
      if (!pp.exitRep()) pp.error(loc(tokens[0]), "'%exitrep' outside '%rep'");
      return;
    case '%unmacro':
    case '%unimacro':
      if (tokens[1]) pp.macros.delete(d === '%unimacro' ? tokens[1].text.toLowerCase() : tokens[1].text);
      return;
    case '%endmacro':
    case '%endm':
      return pp.error(loc(tokens[0]), `'${tokens[0].text}' without '%macro'`);
    case '%endrep':
      return pp.error(loc(tokens[0]), "'%endrep' without '%rep'");
    default:
      if (IGNORED.has(d)) return;
      pp.error(loc(tokens[0]), `unknown preprocessor directive '${tokens[0].text}'`);
  }
}

function define(pp: Preprocessor, d: string, tokens: readonly Token[], loc: (t: Token | undefined) => Loc): void {
  const name = tokens[1];
  if (!name || name.kind !== 'ident') return pp.error(loc(name ?? tokens[0]), 'macro name expected');
  let i = 2;
  let params: string[] | null = null;
  const open = tokens[2];
  if (open && open.text === '(' && open.col === name.end) {
    params = [];
    i = 3;
    while (i < tokens.length && tokens[i].text !== ')') {
      const p = tokens[i];
      if (p.kind !== 'ident') return pp.error(loc(p), 'parameter name expected');
      params.push(p.text);
      i++;
      if (tokens[i]?.text === ',') i++;
    }
    if (tokens[i]?.text !== ')') return pp.error(loc(tokens[i - 1]), "expected ')' after macro parameters");
    i++;
  }
  let bodyTokens: readonly Token[] = tokens.slice(i);
  if (d === '%xdefine' || d === '%ixdefine') bodyTokens = pp.defines.expand(bodyTokens);
  pp.defines.define({ name: name.text, params, body: bodyTokens, caseless: d.startsWith('%i') });
}

function include(pp: Preprocessor, tokens: readonly Token[], loc: (t: Token | undefined) => Loc, body: BodyLine, site: Loc | undefined): void {
  const arg = pp.defines.expand(tokens.slice(1));
  let name: string | undefined;
  if (arg.length === 1 && arg[0].kind === 'string') name = String.fromCharCode(...decodeString(arg[0].text).bytes);
  else if (arg.length >= 2 && arg[0].text === '<' && arg[arg.length - 1].text === '>') name = arg.slice(1, -1).map((t) => t.text).join('');
  if (name === undefined) return pp.error(loc(tokens[1] ?? tokens[0]), '%include expects a file name in quotes');
  if (pp.includeDepth() >= MAX_INCLUDE_DEPTH) return pp.error(loc(tokens[1]), 'includes nested too deeply');
  const from = site ? site.file : body.file;
  const candidates = [joinPath(dirname(from), name), name, ...pp.options.includePaths.map((p) => joinPath(p, name as string))];
  for (const path of candidates) {
    let text: string | undefined;
    try {
      text = pp.options.readFile(path);
    } catch {
      text = undefined;
    }
    if (text !== undefined) return pp.pushFile(path, text);
  }
  pp.error(loc(tokens[1]), `unable to open include file '${name}'`);
}

function message(tokens: readonly Token[]): string {
  if (tokens.length === 1 && tokens[0].kind === 'string') return String.fromCharCode(...decodeString(tokens[0].text).bytes);
  return tokens.map((t) => t.text).join(' ');
}
