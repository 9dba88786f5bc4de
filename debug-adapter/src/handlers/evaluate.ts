// evaluate (Debug Console, watch, hover, clipboard), setExpression and completions over the
// expression language. Assignments (`rax = 5`, `byte [rel flag] = 1`) are allowed in the console.

import type { DebugProtocol } from '@vscode/debugprotocol';
import type { SessionContext } from '../context';
import { ErrorCode, silentError, userError } from '../errors';
import { describeExprError, evaluateNode, type EvalResult } from '../expr/evaluate';
import { ExprError, parseExpression, SIZE_KEYWORDS, type Node } from '../expr/parse';
import { formatValue, hexValue, memoryRef } from '../views/format';
import { registerDef, registerNames } from '../views/registerFile';
import { looksLikePointer, registerNodeFor } from '../views/registersScope';
import type { HandlerTable } from './handlerTypes';
import { registerView } from './stack';

const MAX_COMPLETIONS = 500;

function run(ctx: SessionContext, src: string, node: Node, frameId: number | undefined, writable: boolean): EvalResult {
  try {
    return evaluateNode(node, ctx.evalEnv(frameId, writable));
  } catch (e) {
    if (e instanceof ExprError) throw silentError(ErrorCode.Expression, describeExprError(e, src));
    throw e;
  }
}

function parse(src: string): Node {
  try {
    return parseExpression(src);
  } catch (e) {
    if (e instanceof ExprError) throw silentError(ErrorCode.Expression, describeExprError(e, src));
    throw e;
  }
}

/** The shown value, a memory reference when the value is (or lives at) a mapped address, children for registers with bits. */
function present(ctx: SessionContext, src: string, r: EvalResult, frameId: number | undefined, hex: boolean): DebugProtocol.EvaluateResponse['body'] {
  const l = ctx.requireLoaded();
  const sized = r.kind === 'register' || r.kind === 'memory';
  const body: DebugProtocol.EvaluateResponse['body'] = { result: formatValue(r.value, sized ? r.size : 0, hex), variablesReference: 0 };
  if (ctx.client.supportsMemoryReferences) {
    if (r.kind === 'memory') body.memoryReference = memoryRef(r.space!, r.address!);
    else if ((r.size === 8 || r.kind === 'symbol') && looksLikePointer(l.memory, r.value)) body.memoryReference = memoryRef('gva', r.value);
  }
  const reg = r.kind === 'register' ? registerDef(src.trim()) : undefined;
  if (reg?.fields) {
    const node = registerNodeFor(registerView(ctx, frameId), reg.name);
    if (node?.children) {
      body.variablesReference = ctx.vars.add(node.children);
      body.result = node.value;
    }
  }
  return body;
}

/** A function whose result the target can decode (`rmp(gpa)`): the summary and decoded children. */
function explain(ctx: SessionContext, node: Extract<Node, { k: 'call' }>, frameId: number | undefined, body: DebugProtocol.EvaluateResponse['body']): void {
  const l = ctx.requireLoaded();
  const env = ctx.evalEnv(frameId);
  const x = l.target.explainCall(node.fn, node.args.map((a) => evaluateNode(a, env).value));
  if (!x) return;
  body.result = `${body.result} [${x.summary}]`;
  body.variablesReference = ctx.vars.add(() => x.children);
}

export const evaluateHandlers: HandlerTable = {
  evaluate(ctx: SessionContext, args: DebugProtocol.EvaluateArguments): DebugProtocol.EvaluateResponse['body'] {
    ctx.requireStopped();
    const node = parse(args.expression);
    if (node.k === 'assign' && args.context !== 'repl') throw silentError(ErrorCode.Expression, 'assignments are only evaluated in the Debug Console');
    const r = run(ctx, args.expression, node, args.frameId, args.context === 'repl');
    if (args.context === 'clipboard') return { result: hexValue(r.value, r.size), variablesReference: 0 };
    const body = present(ctx, args.expression, r, args.frameId, args.format?.hex ?? true);
    if (node.k === 'call') explain(ctx, node, args.frameId, body);
    return body;
  },

  setExpression(ctx: SessionContext, args: DebugProtocol.SetExpressionArguments): DebugProtocol.SetExpressionResponse['body'] {
    ctx.requireStopped();
    const target = parse(args.expression);
    if (target.k !== 'name' && target.k !== 'mem') throw userError(ErrorCode.Expression, `'${args.expression}' cannot be assigned (only registers and memory operands)`);
    const value = parse(args.value);
    let r: EvalResult;
    try {
      r = evaluateNode({ k: 'assign', target, value, pos: 0 }, ctx.evalEnv(args.frameId, true));
    } catch (e) {
      if (e instanceof ExprError) throw userError(ErrorCode.Expression, e.message);
      throw e;
    }
    const body = present(ctx, args.expression, r, args.frameId, args.format?.hex ?? true);
    return { value: body.result, variablesReference: body.variablesReference, memoryReference: body.memoryReference };
  },

  completions(ctx: SessionContext, args: DebugProtocol.CompletionsArguments): DebugProtocol.CompletionsResponse['body'] {
    const l = ctx.loaded;
    const cursor = Math.min(args.text.length, ctx.client.columnsStartAt1 ? args.column - 1 : args.column);
    let begin = cursor;
    while (begin > 0 && /[A-Za-z0-9_.$@?#]/.test(args.text[begin - 1]!)) begin--;
    const prefix = args.text.slice(begin, cursor).toLowerCase();
    const items: DebugProtocol.CompletionItem[] = [];
    const offer = (label: string, type: DebugProtocol.CompletionItemType): void => {
      if (items.length < MAX_COMPLETIONS && label.toLowerCase().startsWith(prefix)) {
        items.push({ label, type, start: ctx.client.columnsStartAt1 ? begin + 1 : begin, length: cursor - begin });
      }
    };
    for (const r of registerNames()) offer(r, 'property');
    for (const k of [...Object.keys(SIZE_KEYWORDS), 'rel']) offer(k, 'keyword');
    if (l) {
      for (const f of l.target.functionNames) offer(f, 'function');
      for (const n of l.target.expressionNames) offer(n, 'field');
      for (const s of l.symbols.names()) offer(s, 'variable');
    }
    return { targets: items };
  },
};
