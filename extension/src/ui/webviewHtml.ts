// The HTML shell of our webviews with a strict Content Security Policy: scripts only with a fresh
// nonce, style elements only from the extension or with the nonce (monaco's are given it), style
// attributes allowed (monaco positions lines with them; they cannot run code), fonts and fetches
// from the extension only, workers only from blob: URLs, no eval.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPage {
  title: string;
  /** Bundle in dist/webview/ (e.g. 'memory.js'), and its CSS if esbuild emitted one. */
  script: string;
  styles: string[];
  /** Markup of <body> (no inline scripts or handlers). */
  body: string;
  /** data-* attributes of the #boot element, read by the script (URIs of workers and such). */
  data: Record<string, string>;
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src-elem ${cspSource} 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `connect-src ${cspSource}`,
    'worker-src blob:',
  ].join('; ');
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(18).toString('base64');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
  const data = Object.entries(page.data).map(([k, v]) => ` data-${k}="${escapeAttr(v)}"`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${page.styles.map((s) => `<link rel="stylesheet" href="${asset(s)}">`).join('\n')}
<title>${escapeAttr(page.title)}</title>
</head>
<body>
<div id="boot" hidden${data}></div>
${page.body}
<script nonce="${nonce}" src="${asset(page.script)}"></script>
</body>
</html>`;
}

/** Resource roots a webview may load from: the bundles only. */
export function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')];
}
