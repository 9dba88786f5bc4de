// Sends diagnostics: each file gets those of the program that owns it (the first root, in opening
// order, that includes it); a file no program mentions any more is cleared. A file is sent again when
// its diagnostics or its document version changed (so a client sees every assembled version).
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver/node';
import type { Project } from './project';

export class DiagnosticsPublisher {
  private readonly sent = new Map<string, string>();

  constructor(private readonly send: (p: PublishDiagnosticsParams) => void) {}

  sync(project: Project): void {
    const desired = new Map<string, { diagnostics: Diagnostic[]; version?: number }>();
    for (const p of project.roots()) {
      for (const [key, diagnostics] of p.analysis.diagnostics) {
        const uri = project.uriOf(key);
        if (!desired.has(uri)) desired.set(uri, { diagnostics, version: p.analysis.versions.get(key) });
      }
    }
    for (const [uri, d] of desired) {
      const stamp = `${d.version ?? ''}|${JSON.stringify(d.diagnostics)}`;
      if (this.sent.get(uri) === stamp) continue;
      this.sent.set(uri, stamp);
      this.send(d.version === undefined ? { uri, diagnostics: d.diagnostics } : { uri, version: d.version, diagnostics: d.diagnostics });
    }
    for (const uri of [...this.sent.keys()]) {
      if (desired.has(uri)) continue;
      this.sent.delete(uri);
      this.send({ uri, diagnostics: [] });
    }
  }
}
