// The open documents and the programs they form. Every open document is either a root (assembled on
// its own) or is %included by a root's program, whose assembly then also covers it. Changes mark
// programs stale; the scheduler re-assembles them (diagnostics). Requests use a program's symbol
// index, which follows the current texts, so they never wait for an assembly.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Host } from './host';
import { keyOfRaw, runAnalysis, type Analysis, type AnalysisRequest, type SourceText } from './analysis';
import { searchPath, type Settings } from './settings';
import { buildFileModel, type FileModel } from './model/fileModel';
import { ProjectIndex } from './model/projectIndex';
import { Scheduler } from './scheduler';

/**
 * An assembled program and its symbol index. The index is syntactic, so it is built from the files'
 * current texts (edits since the last assembly included); values and the file list come from the
 * last assembly.
 */
export interface Program {
  analysis: Analysis;
  index(): ProjectIndex;
  /** The model of one of the program's files, from its current text. */
  model(key: string): FileModel | undefined;
}

export interface ProjectEvents {
  /** A program was (re)assembled or dropped: diagnostics should be published again. */
  changed(): void;
}

export class Project {
  /** Open documents by key, in the order they were opened. */
  private readonly docs = new Map<string, TextDocument>();
  private readonly programs = new Map<string, Program>();
  private readonly models = new Map<string, FileModel>();
  readonly scheduler: Scheduler;

  constructor(
    readonly host: Host,
    private settings: Settings,
    /** The first workspace folder (relative include paths start there). */
    private readonly workspaceDir: string | undefined,
    private readonly events: ProjectEvents,
    log: (what: string, e: unknown) => void = () => undefined,
    /** Runs an assembly off this thread (a worker); without it, background runs happen here. */
    private readonly background?: (req: AnalysisRequest) => Promise<Analysis>,
  ) {
    this.scheduler = new Scheduler(
      host,
      (key) => this.assembleInBackground(key),
      (key) => this.assembleNow(key),
      (key, e) => log(`assembling ${key}`, e),
    );
  }

  get currentSettings(): Settings {
    return this.settings;
  }

  setSettings(s: Settings): void {
    this.settings = s;
    for (const key of this.programs.keys()) this.scheduler.markStale(key, 0, true);
  }

  keyOf(uri: string): string {
    return this.host.keyOfUri(uri);
  }

  uriOf(key: string): string {
    return this.docs.get(key)?.uri ?? this.host.uriOfKey(key);
  }

  /** The key of a path as the assembler spells it (an include candidate or a diagnostic's file). */
  keyOfRaw(raw: string): string | undefined {
    return keyOfRaw(raw, this.docs, this.host, this.workspaceDir);
  }

  /** Text of a file: the open document, else the disk. */
  read = (key: string): SourceText | undefined => {
    const doc = this.docs.get(key);
    if (doc) return { text: doc.getText(), version: doc.version };
    const text = this.host.readDisk(key);
    return text === undefined ? undefined : { text };
  };

  opened(doc: TextDocument): void {
    this.docs.set(this.keyOf(doc.uri), doc);
    this.changedDoc(doc);
  }

  changedDoc(doc: TextDocument): void {
    const key = this.keyOf(doc.uri);
    const owners = [...this.programs.values()].filter((p) => p.analysis.fileSet.has(key)).map((p) => p.analysis.rootKey);
    if (owners.length === 0) owners.push(key);
    for (const root of owners) this.scheduler.markStale(root, this.settings.diagnosticsDelayMs, false);
  }

  closed(uri: string): void {
    const key = this.keyOf(uri);
    this.docs.delete(key);
    this.models.delete(key);
    if (this.programs.delete(key)) this.scheduler.forget(key);
    // Programs that include the closed file read it from disk again.
    for (const p of this.programs.values()) if (p.analysis.fileSet.has(key)) this.scheduler.markStale(p.analysis.rootKey, 0, true);
    this.updateRoots();
    this.events.changed();
  }

  /**
   * Files changed on disk (workspace/didChangeWatchedFiles): programs that read them assemble again;
   * a created file may be one an %include could not find, so then every program does.
   */
  diskChanged(keys: string[], created: boolean): void {
    for (const p of this.programs.values()) {
      if (created || keys.some((k) => p.analysis.fileSet.has(k))) this.scheduler.markStale(p.analysis.rootKey, 0, true);
    }
  }

  /** Roots in the order their documents were opened, with their programs. */
  roots(): Program[] {
    const out: Program[] = [];
    for (const key of this.docs.keys()) {
      const p = this.programs.get(key);
      if (p) out.push(p);
    }
    return out;
  }

  /**
   * The program that covers an open document. Requests do not wait for a pending re-assembly (the
   * index follows the current texts anyway); only a document without any program yet is assembled now.
   */
  programFor(uri: string): Program | undefined {
    const key = this.keyOf(uri);
    if (!this.docs.has(key)) return undefined;
    const owner = this.ownerOf(key);
    if (owner !== undefined) return this.programs.get(owner);
    this.scheduler.runNow(key);
    const after = this.ownerOf(key);
    return after === undefined ? undefined : this.programs.get(after);
  }

  /** The root whose program covers `key`: the key itself when it is a root, else the first including root. */
  ownerOf(key: string): string | undefined {
    if (this.programs.has(key)) return key;
    for (const docKey of this.docs.keys()) if (this.programs.get(docKey)?.analysis.fileSet.has(key)) return docKey;
    return undefined;
  }

  /** The model of a file's text, rebuilt only when the text changed (unchanged lines come from a cache). */
  model(key: string, text: string): FileModel {
    const cached = this.models.get(key);
    if (cached && cached.text === text) return cached;
    const m = buildFileModel(key, text);
    this.models.set(key, m);
    return m;
  }

  /** What an assembly of `rootKey` needs: every open document's text and version, and the settings. */
  private request(rootKey: string): AnalysisRequest | undefined {
    if (!this.docs.has(rootKey)) return undefined;
    const docs: [string, SourceText][] = [...this.docs].map(([key, d]) => [key, { text: d.getText(), version: d.version }]);
    return { rootKey, docs, includePaths: searchPath(this.settings), defines: this.settings.defines, workspaceDir: this.workspaceDir };
  }

  private assembleNow(rootKey: string): void {
    const req = this.request(rootKey);
    if (req) this.install(runAnalysis(req, this.host));
    else this.programs.delete(rootKey);
  }

  private async assembleInBackground(rootKey: string): Promise<void> {
    const req = this.request(rootKey);
    if (!req) {
      this.programs.delete(rootKey);
      return;
    }
    let analysis: Analysis;
    try {
      analysis = this.background ? await this.background(req) : runAnalysis(req, this.host);
    } catch {
      // The worker is gone: assemble here from now on.
      analysis = runAnalysis(req, this.host);
    }
    this.install(analysis);
  }

  /** Makes an analysis the program of its root, unless the root closed or its texts changed since. */
  private install(analysis: Analysis): void {
    const rootKey = analysis.rootKey;
    if (!this.docs.has(rootKey)) return;
    for (const [key, version] of analysis.versions) {
      // A newer edit is already scheduled to be assembled; this result would be out of date.
      if (version !== undefined && this.docs.get(key)?.version !== version) return;
    }
    const model = (key: string): FileModel | undefined => {
      if (!analysis.fileSet.has(key)) return undefined;
      const src = this.read(key);
      return src && this.model(key, src.text);
    };
    let cached: { models: FileModel[]; index: ProjectIndex } | undefined;
    const index = (): ProjectIndex => {
      const models = analysis.files.map((k) => model(k)).filter((m): m is FileModel => m !== undefined);
      if (!cached || cached.models.length !== models.length || cached.models.some((m, i) => m !== models[i])) cached = { models, index: new ProjectIndex(models) };
      return cached.index;
    };
    this.programs.set(rootKey, { analysis, model, index });
    this.updateRoots();
    this.events.changed();
  }

  /**
   * A document included by another root's program stops being a root (its own program is dropped);
   * one no longer included by any root becomes a root and is assembled.
   */
  private updateRoots(): void {
    for (let pass = 0; pass < 4; pass++) {
      let changed = false;
      for (const key of this.docs.keys()) {
        const own = this.programs.get(key);
        const includedBy = [...this.programs.values()].some((p) => p.analysis.rootKey !== key && p.analysis.fileSet.has(key) && !own?.analysis.fileSet.has(p.analysis.rootKey));
        if (includedBy && own) {
          this.programs.delete(key);
          this.scheduler.forget(key);
          changed = true;
        } else if (!includedBy && !own && !this.scheduler.isStale(key)) {
          this.scheduler.markStale(key, 0, true);
        }
      }
      if (!changed) break;
    }
  }
}
