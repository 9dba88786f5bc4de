// Memory inspector webview boot: CSP nonce shim and monaco workers first, then the toolbar, the hex
// view and the message loop with the extension host (protocol/webviewMessages.ts).
import { cspNonce } from '../shared/cspStyleNonce';
import { installMonacoWorkers } from '../shared/monacoWorkers';
import { Messenger } from '../shared/messenger';
import type { HostToInspector, InspectorToHost, SessionInfo } from '../../../protocol/webviewMessages';
import { HexView } from './hexView';
import { PAGE_SIZE, PageCache } from './pageCache';
import { Toolbar } from './toolbar';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution';
import 'monaco-editor/editor/contrib/contextmenu/browser/contextmenu';
import 'monaco-editor/editor/contrib/clipboard/browser/clipboard';
import '../shared/pageStates.css';
import './memory.css';

const boot = document.getElementById('boot')!.dataset;
installMonacoWorkers(boot.editorWorker!);

const cache = new PageCache();
let session: SessionInfo | null = null;
let requestId = 0;
/** Read requests in flight: id -> the space/view they were for (answers for an old one are dropped). */
const inflight = new Map<number, string>();
const key = () => `${view.space}/${view.view}`;

const messenger = new Messenger<InspectorToHost, HostToInspector>((m) => onMessage(m));
const toolbar = new Toolbar(document.getElementById('toolbar')!, {
  changeSpace: (space) => { view.space = space; cache.clear(); view.reveal(0n); },
  changeView: (v) => { view.view = v; cache.clear(); view.render(); },
  go: (text) => messenger.post({ type: 'resolve', requestId: ++requestId, space: view.space, text }),
  follow: (enabled) => messenger.post({ type: 'follow', enabled }),
  write: (address, data) => messenger.post({ type: 'write', requestId: ++requestId, space: view.space, address: '0x' + address.toString(16), data: toBase64(data) }),
});

const view = new HexView(document.getElementById('hex')!, document.getElementById('scroll')!, cache, {
  need(start, end) {
    if (!session) return;
    for (const page of cache.pagesToRead(start, end, session.stopEpoch)) read(page);
  },
  editBytes: (address, current) => toolbar.startEdit(address, current),
  dataBreakpoint: (address, count, access) => messenger.post({ type: 'dataBreakpoint', space: view.space, address: '0x' + address.toString(16), count, access }),
  clearDataBreakpoints: () => messenger.post({ type: 'clearDataBreakpoints' }),
  status: (text) => toolbar.status(text),
});

function read(page: bigint): void {
  if (!session) return;
  cache.markLoading(page, session.stopEpoch);
  const id = ++requestId;
  inflight.set(id, key());
  messenger.post({ type: 'read', requestId: id, space: view.space, view: view.view, address: '0x' + page.toString(16), count: PAGE_SIZE });
}

function setSession(s: SessionInfo | null): void {
  session = s;
  toolbar.session(s);
  if (!s) {
    toolbar.status('No SNP debug session: start one to see guest memory.');
    return;
  }
  view.setLimit(view.space === 'gpa' ? maxBig(BigInt(s.memorySize), 1n << 32n) : 1n << 64n);
  if (view.view === 'host' && !s.hostView) { view.view = 'guest'; toolbar.setView('guest'); cache.clear(); }
  view.render();
}

function onMessage(m: HostToInspector): void {
  switch (m.type) {
    case 'init':
      view.space = m.location.space;
      view.view = m.location.view;
      toolbar.setSpace(m.location.space);
      toolbar.setView(m.location.view);
      toolbar.setFollow(m.follow);
      setSession(m.session);
      view.reveal(BigInt(m.location.address));
      break;
    case 'session':
      setSession(m.session);
      break;
    case 'memory': {
      const k = inflight.get(m.requestId);
      inflight.delete(m.requestId);
      if (k !== `${m.space}/${m.view}` || k !== key()) return;
      cache.accept(BigInt(m.address), fromBase64(m.data), m.unreadable, m.pages, m.stopEpoch);
      view.render();
      break;
    }
    case 'navigate': {
      const loc = m.location;
      if (loc.space && loc.space !== view.space) { view.space = loc.space; toolbar.setSpace(loc.space); cache.clear(); }
      if (loc.view && loc.view !== view.view) { view.view = loc.view; toolbar.setView(loc.view); cache.clear(); }
      if (session) view.setLimit(view.space === 'gpa' ? maxBig(BigInt(session.memorySize), 1n << 32n) : 1n << 64n);
      view.reveal(BigInt(loc.address));
      toolbar.status(`${m.reason === 'frame' ? 'following the frame: ' : ''}${view.space.toUpperCase()} ${loc.address}`);
      break;
    }
    case 'refresh': {
      // Re-read what is on screen at the same stop epoch (keeps the change-mark base).
      const { start, end } = view.visibleRange();
      for (let p = start - (start % BigInt(PAGE_SIZE)); p < end; p += BigInt(PAGE_SIZE)) read(p);
      break;
    }
    case 'result':
      toolbar.status(m.message, !m.ok);
      break;
    case 'follow':
      toolbar.setFollow(m.enabled);
      break;
  }
}

const maxBig = (a: bigint, b: bigint) => (a > b ? a : b);

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

document.body.dataset.nonce = cspNonce ? 'set' : 'missing';
messenger.post({ type: 'ready' });
