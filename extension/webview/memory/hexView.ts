// The hex grid: a read-only monaco model holding only the rows on screen (addresses as line
// numbers), page-state colours, page boundaries and changed bytes as decorations, byte hovers,
// and actions (edit bytes, data breakpoint on the selection). Scrolling is ours (BigScrollbar).
import * as monaco from 'monaco-editor/editor/editor.api';
import type { AddressSpace, MemoryView } from '../../../protocol/webviewMessages';
import { byteHover } from './byteHover';
import { asciiColumn, byteAtColumn, BYTES_PER_ROW, formatAddress, formatRow, hexColumn } from './hexLayout';
import { PAGE_SIZE, pageOf, type PageCache } from './pageCache';
import { BigScrollbar } from './scrollbar';

const ROW = BigInt(BYTES_PER_ROW);
const LANGUAGE = 'snp-hex';

export interface HexViewHost {
  /** Pages of [start, end) should be in the cache (the view calls this after every move). */
  need(start: bigint, end: bigint): void;
  editBytes(address: bigint, current: number[]): void;
  dataBreakpoint(address: bigint, count: number, access: 'write' | 'readWrite'): void;
  clearDataBreakpoints(): void;
  status(text: string): void;
}

export class HexView {
  readonly editor: monaco.editor.IStandaloneCodeEditor;
  private readonly model: monaco.editor.ITextModel;
  private readonly decorations: monaco.editor.IEditorDecorationsCollection;
  private readonly scrollbar: BigScrollbar;
  private topRow = 0n;
  private rows = 20;
  private totalRows = 1n << 28n;
  private restoring = false;
  /** The selection in addresses (it stays with its bytes when the rows scroll). */
  private selected: { anchor: bigint; active: bigint } | null = null;
  space: AddressSpace = 'gpa';
  view: MemoryView = 'guest';

  constructor(container: HTMLElement, track: HTMLElement, private readonly cache: PageCache, private readonly host: HexViewHost) {
    monaco.languages.register({ id: LANGUAGE });
    this.model = monaco.editor.createModel('', LANGUAGE);
    const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
    this.editor = monaco.editor.create(container, {
      model: this.model, readOnly: true, domReadOnly: false, theme: dark ? 'vs-dark' : 'vs',
      lineNumbers: (n) => formatAddress(this.rowAddress(n)), lineNumbersMinChars: 18,
      minimap: { enabled: false }, folding: false, glyphMargin: false, lineDecorationsWidth: 8,
      scrollBeyondLastLine: false, renderLineHighlight: 'line', occurrencesHighlight: 'off', selectionHighlight: false,
      scrollbar: { vertical: 'hidden', horizontal: 'auto', handleMouseWheel: false, alwaysConsumeMouseWheel: false },
      wordWrap: 'off', links: false, contextmenu: true, fontFamily: 'var(--vscode-editor-font-family, monospace)',
      hover: { enabled: 'on', delay: 250 }, automaticLayout: true, renderWhitespace: 'none', unicodeHighlight: { ambiguousCharacters: false, invisibleCharacters: false },
    });
    this.decorations = this.editor.createDecorationsCollection();
    this.scrollbar = new BigScrollbar(track, (f) => this.scrollToFraction(f), (d) => this.scrollBy(d * this.rows));
    container.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.scrollBy(Math.sign(e.deltaY) * Math.max(1, Math.round(Math.abs(e.deltaY) / 40)) * 3);
    }, { passive: false });
    this.editor.onKeyDown((e) => this.onKey(e));
    this.editor.onDidLayoutChange(() => this.fit());
    this.editor.onDidChangeCursorSelection(() => this.showSelection());
    monaco.languages.registerHoverProvider(LANGUAGE, { provideHover: (_m, pos) => this.hover(pos) });
    this.addActions();
    this.fit();
  }

  /** The address of model line `n` (1-based). */
  rowAddress(n: number): bigint {
    return (this.topRow + BigInt(n - 1)) * ROW;
  }

  setLimit(bytes: bigint): void {
    this.totalRows = bytes / ROW;
    if (this.topRow > this.maxTop()) this.topRow = this.maxTop();
  }

  /** Shows `address` in the third row and puts the cursor on its byte. */
  reveal(address: bigint, length = 1): void {
    const row = address / ROW;
    this.topRow = row > 2n ? row - 2n : 0n;
    if (this.topRow > this.maxTop()) this.topRow = this.maxTop();
    this.render();
    const line = Number(row - this.topRow) + 1;
    const i = Number(address % ROW);
    const endI = Math.min(BYTES_PER_ROW - 1, i + Math.max(1, length) - 1);
    this.selected = { anchor: address, active: address + BigInt(endI - i) };
    this.editor.setSelection(new monaco.Selection(line, hexColumn(i) + 1, line, hexColumn(endI) + 3));
  }

  topAddress(): bigint {
    return this.topRow * ROW;
  }

  visibleRange(): { start: bigint; end: bigint } {
    const start = this.topAddress();
    return { start, end: start + BigInt(this.rows) * ROW };
  }

  scrollBy(rows: number): void {
    let top = this.topRow + BigInt(rows);
    if (top < 0n) top = 0n;
    if (top > this.maxTop()) top = this.maxTop();
    if (top === this.topRow) return;
    this.topRow = top;
    this.render();
  }

  private scrollToFraction(f: number): void {
    const max = this.maxTop();
    this.topRow = (max * BigInt(Math.round(f * 1_000_000))) / 1_000_000n;
    this.render();
  }

  private maxTop(): bigint {
    return this.totalRows > BigInt(this.rows) ? this.totalRows - BigInt(this.rows) : 0n;
  }

  private fit(): void {
    const lineHeight = this.editor.getOption(monaco.editor.EditorOption.lineHeight);
    const rows = Math.max(4, Math.floor(this.editor.getLayoutInfo().height / lineHeight) - 1);
    if (rows !== this.rows) {
      this.rows = rows;
      this.render();
    }
  }

  /** Rebuilds the model's rows from the cache and asks for pages that are missing or stale. */
  render(): void {
    const start = this.topAddress();
    const end = start + BigInt(this.rows) * ROW;
    this.host.need(start, end);
    const text: string[] = [];
    const decos: monaco.editor.IModelDeltaDecoration[] = [];
    for (let r = 0; r < this.rows; r++) {
      const address = start + BigInt(r) * ROW;
      const bytes = this.cache.row(address, BYTES_PER_ROW);
      text.push(bytes ? formatRow(bytes) : formatRow([]).replace(/\?\?/g, '  ').replace(/·/g, ' '));
      const page = pageOf(address);
      const info = this.cache.get(page)?.info;
      const line = r + 1;
      const classes = [`ps-${info?.state ?? 'loading'}`];
      if (address === page) classes.push('page-start');
      decos.push({ range: new monaco.Range(line, 1, line, 1), options: { isWholeLine: true, className: classes.join(' '), linesDecorationsClassName: `psbar psbar-${info?.state ?? 'loading'}` } });
      if (!bytes) continue;
      const changed = this.cache.changed(address, BYTES_PER_ROW);
      for (let i = 0; i < BYTES_PER_ROW; i++) {
        const cls = bytes[i]! < 0 ? 'byte-unreadable' : changed[i] ? 'byte-changed' : null;
        if (!cls) continue;
        decos.push({ range: new monaco.Range(line, hexColumn(i) + 1, line, hexColumn(i) + 3), options: { inlineClassName: cls } });
        decos.push({ range: new monaco.Range(line, asciiColumn(i) + 1, line, asciiColumn(i) + 2), options: { inlineClassName: cls } });
      }
    }
    // Replacing the rows moves the cursor; put the selection back on its bytes (if they are on
    // screen) without announcing a new selection.
    this.restoring = true;
    this.model.setValue(text.join('\n'));
    this.restoreSelection();
    this.restoring = false;
    this.decorations.set(decos);
    this.scrollbar.update(this.topRow, this.rows, this.totalRows);
  }

  /** Model position of a byte's hex digits (start, or end when `end`), or null when off screen. */
  private positionOf(address: bigint, end: boolean): monaco.Position | null {
    const row = address / ROW - this.topRow;
    if (row < 0n || row >= BigInt(this.rows)) return null;
    const i = Number(address % ROW);
    return new monaco.Position(Number(row) + 1, hexColumn(i) + (end ? 3 : 1));
  }

  private restoreSelection(): void {
    if (!this.selected) return;
    const forward = this.selected.active >= this.selected.anchor;
    const a = this.positionOf(this.selected.anchor, !forward);
    const b = this.positionOf(this.selected.active, forward);
    if (a && b) this.editor.setSelection(monaco.Selection.fromPositions(a, b));
    else this.editor.setSelection(new monaco.Selection(1, 1, 1, 1));
  }

  /** The selected byte range (address, count), at least the byte under the cursor. */
  selectedBytes(): { address: bigint; count: number } | null {
    const s = this.editor.getSelection();
    if (!s) return null;
    const at = (line: number, col: number, end: boolean) => {
      let i = byteAtColumn(col - 1);
      if (i < 0) i = byteAtColumn(col - 2) >= 0 ? byteAtColumn(col - 2) : end ? BYTES_PER_ROW - 1 : 0;
      return this.rowAddress(line) + BigInt(i);
    };
    const a = at(s.startLineNumber, s.startColumn, false);
    const b = s.isEmpty() ? a : at(s.endLineNumber, s.endColumn - 1, true);
    return b >= a ? { address: a, count: Number(b - a) + 1 } : { address: b, count: Number(a - b) + 1 };
  }

  private bytesAt(address: bigint, count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(this.cache.row(address + BigInt(i), 1)?.[0] ?? -1);
    return out;
  }

  private showSelection(): void {
    if (this.restoring) return;
    const sel = this.selectedBytes();
    if (!sel) return;
    const reversed = this.editor.getSelection()?.getDirection() === monaco.SelectionDirection.RTL;
    const last = sel.address + BigInt(sel.count - 1);
    this.selected = reversed ? { anchor: last, active: sel.address } : { anchor: sel.address, active: last };
    const info = this.cache.get(pageOf(sel.address))?.info;
    this.host.status(`${this.space.toUpperCase()} 0x${sel.address.toString(16)}${sel.count > 1 ? ` + ${sel.count}` : ''}${info ? ` · ${info.state}${info.label ? ` (${info.label})` : ''}` : ''}`);
  }

  private hover(pos: monaco.Position): monaco.languages.Hover | null {
    const i = byteAtColumn(pos.column - 1);
    if (i < 0) return null;
    const address = this.rowAddress(pos.lineNumber) + BigInt(i);
    const page = pageOf(address);
    const lines = byteHover(this.space, this.view, address, page, this.cache.get(page)?.info ?? null, this.bytesAt(address, Math.min(8, Number(page + BigInt(PAGE_SIZE) - address))));
    return { contents: lines.map((value) => ({ value })), range: new monaco.Range(pos.lineNumber, pos.column, pos.lineNumber, pos.column + 1) };
  }

  private onKey(e: monaco.IKeyboardEvent): void {
    const line = this.editor.getPosition()?.lineNumber ?? 1;
    const K = monaco.KeyCode;
    const move = (rows: number) => { e.preventDefault(); e.stopPropagation(); this.scrollBy(rows); };
    if (e.keyCode === K.DownArrow && line >= this.rows) move(1);
    else if (e.keyCode === K.UpArrow && line <= 1) move(-1);
    else if (e.keyCode === K.PageDown) move(this.rows);
    else if (e.keyCode === K.PageUp) move(-this.rows);
    else if (e.keyCode === K.End && e.ctrlKey) move(Number(this.maxTop() - this.topRow > 1n << 40n ? 1n << 40n : this.maxTop() - this.topRow));
    else if (e.keyCode === K.Home && e.ctrlKey) { e.preventDefault(); this.topRow = 0n; this.render(); }
  }

  private addActions(): void {
    const withSelection = (f: (a: bigint, n: number) => void) => () => {
      const s = this.selectedBytes();
      if (s) f(s.address, s.count);
    };
    this.editor.addAction({ id: 'snp.editBytes', label: 'Edit Bytes…', contextMenuGroupId: '1_modify', keybindings: [monaco.KeyCode.Enter], run: withSelection((a, n) => this.host.editBytes(a, this.bytesAt(a, n))) });
    this.editor.addAction({ id: 'snp.breakOnWrite', label: 'Break on Write to Selection', contextMenuGroupId: '2_break', run: withSelection((a, n) => this.host.dataBreakpoint(a, n, 'write')) });
    this.editor.addAction({ id: 'snp.breakOnAccess', label: 'Break on Access to Selection', contextMenuGroupId: '2_break', run: withSelection((a, n) => this.host.dataBreakpoint(a, n, 'readWrite')) });
    this.editor.addAction({ id: 'snp.clearDataBreakpoints', label: 'Remove Data Breakpoints Set Here', contextMenuGroupId: '2_break', run: () => this.host.clearDataBreakpoints() });
  }
}
