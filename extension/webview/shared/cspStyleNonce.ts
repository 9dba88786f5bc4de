// Gives every <style> element the page's CSP nonce, and records CSP violations. Monaco creates style elements at run time;
// the webview's CSP admits style elements only with the nonce, so this must run before monaco loads
// (import it first). The nonce is read from this bundle's own <script nonce> element.

const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce ?? '';

if (nonce) {
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function (this: Document, tagName: string, options?: ElementCreationOptions) {
    const el = create.call(this, tagName, options);
    if (tagName.toLowerCase() === 'style') (el as HTMLStyleElement).nonce = nonce;
    return el;
  } as typeof Document.prototype.createElement;
}

export const cspNonce = nonce;

/** CSP violations seen in this webview (reported to the extension's output channel by the messenger). */
export const cspViolations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => {
  cspViolations.push(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
  window.dispatchEvent(new CustomEvent('snp-csp-violation'));
});
