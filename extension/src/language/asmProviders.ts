// Hover and inline-value providers for guest assembly: hovering `rax`, `[rbp-8]` or a label asks the
// adapter to evaluate exactly that; while stopped, the registers of the current line show their values.
import * as vscode from 'vscode';
import { expressionAt, registersOnLine } from './asmExpressions';

export const ASM_LANGUAGE = 'snp-asm';

function documentLines(doc: vscode.TextDocument, upTo: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i <= upTo && i < doc.lineCount; i++) lines.push(doc.lineAt(i).text);
  return lines;
}

export const asmEvaluatableExpressionProvider: vscode.EvaluatableExpressionProvider = {
  provideEvaluatableExpression(doc, position) {
    const found = expressionAt(documentLines(doc, position.line), position.line, position.character);
    if (!found) return undefined;
    return new vscode.EvaluatableExpression(new vscode.Range(position.line, found.start, position.line, found.end), found.expression);
  },
};

export const asmInlineValuesProvider: vscode.InlineValuesProvider = {
  provideInlineValues(doc, viewPort, context) {
    // Only the line the guest stopped on: register values elsewhere would be stale or misleading.
    const line = context.stoppedLocation.start.line;
    if (line < viewPort.start.line || line > viewPort.end.line || line >= doc.lineCount) return [];
    return registersOnLine(doc.lineAt(line).text).map(
      (r) => new vscode.InlineValueEvaluatableExpression(new vscode.Range(line, r.start, line, r.end), r.expression),
    );
  },
};

export function registerAsmProviders(): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.languages.registerEvaluatableExpressionProvider(ASM_LANGUAGE, asmEvaluatableExpressionProvider),
    vscode.languages.registerInlineValuesProvider(ASM_LANGUAGE, asmInlineValuesProvider),
  );
}
