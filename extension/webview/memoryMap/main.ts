// Memory map webview: guest-physical memory as a strip of page runs coloured by state, zoomable
// (wheel, buttons) and pannable (drag); page detail is asked for when zoomed in; a click opens the
// memory inspector at that GPA; the ranges table lists what the VMM knows about each range.
import '../shared/cspStyleNonce';
import { Messenger } from '../shared/messenger';
import { PAGE_STATE_LABELS, PAGE_STATES, type HostToMap, type MapToHost, type PageRun } from '../../../protocol/webviewMessages';
import type { MemoryMapRange } from '../../../protocol/customRequests';
import { addressAt, formatSize, mergeDetail, pan, segments, zoom, type GpaWindow } from './stripModel';
import '../shared/pageStates.css';
import './memoryMap.css';

const DETAIL_PAGES = 16384n;
const app = document.getElementById('app')!;
app.innerHTML = `<div class="bar"><button id="zoom-in" title="Zoom in">+</button><button id="zoom-out" title="Zoom out">−</button><button id="reset">Whole guest</button><span id="window"></span></div>
<div id="strip" role="img" aria-label="Guest-physical memory map"></div><div id="axis"><span id="axis-start"></span><span id="axis-mid"></span><span id="axis-end"></span></div>
<div id="legend"></div><div id="message" role="status"></div><table id="ranges"><thead><tr><th>GPA range</th><th>Size</th><th>Kind</th><th>Holds</th><th>Private</th><th>RMP</th><th>Mapped at</th></tr></thead><tbody></tbody></table>`;
const strip = document.getElementById('strip')!;
const $ = (id: string) => document.getElementById(id)!;

let runs: PageRun[] = [];
let previous = new Set<string>();
let limit: GpaWindow = { start: 0n, end: 1n << 32n };
let view: GpaWindow = limit;
let epoch = -1;
let detailId = 0;
const detailAsked = new Set<string>();

const messenger = new Messenger<MapToHost, HostToMap>((m) => {
  if (m.type === 'error') { $('message').textContent = `Error: ${m.message}`; return; }
  if (m.type === 'detail') { runs = mergeDetail(runs, m.runs); render(); return; }
  if (!m.session) { runs = []; $('message').textContent = 'No SNP debug session stopped: start one to see its memory map.'; render(); return; }
  previous = new Set(runs.map(key));
  const first = epoch < 0;
  runs = m.runs;
  epoch = m.stopEpoch;
  detailAsked.clear();
  limit = { start: 0n, end: stripEnd(m.ranges) };
  if (first || view.end > limit.end) view = limit;
  $('message').textContent = `${m.session.name}: stop ${m.stopEpoch}, ${runs.length} runs`;
  renderRanges(m.ranges);
  render();
});

/** The strip spans guest RAM and device ranges, not the unbacked rest of the physical address space. */
function stripEnd(ranges: readonly MemoryMapRange[]): bigint {
  const DEVICE_MAX = 1n << 32n;
  let top = 0n;
  for (const r of ranges) {
    const end = BigInt(r.gpaEnd), size = end - BigInt(r.gpaStart);
    if ((r.kind === 'ram' || size <= DEVICE_MAX) && end > top) top = end;
  }
  return top > 0n ? top : 1n << 32n;
}

const key = (r: PageRun) => `${r.gpaStart}-${r.gpaEnd}-${r.state}`;
const hex = (v: bigint) => '0x' + v.toString(16);

function render(): void {
  strip.replaceChildren();
  // at least 3 px per run, so a single page stays visible in a guest of gigabytes
  for (const seg of segments(runs, view, (3 * 100) / Math.max(1, strip.clientWidth))) {
    const el = document.createElement('div');
    el.className = `run psbar-${seg.run.state}${epoch > 0 && previous.size && !previous.has(key(seg.run)) ? ' changed' : ''}`;
    el.style.left = `${seg.left}%`;
    el.style.width = `${seg.width}%`;
    el.dataset.state = seg.run.state;
    el.dataset.gpa = seg.run.gpaStart;
    el.title = `${seg.run.gpaStart}–${seg.run.gpaEnd} (${formatSize(BigInt(seg.run.gpaEnd) - BigInt(seg.run.gpaStart))}): ${PAGE_STATE_LABELS[seg.run.state]}${seg.run.label ? ` — ${seg.run.label}` : ''}`;
    strip.appendChild(el);
  }
  $('axis-start').textContent = hex(view.start);
  $('axis-mid').textContent = hex(view.start + (view.end - view.start) / 2n);
  $('axis-end').textContent = hex(view.end);
  $('window').textContent = `showing ${formatSize(view.end - view.start)} of ${formatSize(limit.end - limit.start)}`;
  askDetail();
}

/** Zoomed in far enough: ask for per-page states of the mixed runs in view. */
function askDetail(): void {
  if ((view.end - view.start) / 4096n > DETAIL_PAGES) return;
  for (const r of runs) {
    if (!r.label?.includes('(mixed') || BigInt(r.gpaEnd) <= view.start || BigInt(r.gpaStart) >= view.end) continue;
    const a = BigInt(r.gpaStart) > view.start ? BigInt(r.gpaStart) : view.start;
    const b = BigInt(r.gpaEnd) < view.end ? BigInt(r.gpaEnd) : view.end;
    const k = `${hex(a)}-${hex(b)}`;
    if (detailAsked.has(k)) continue;
    detailAsked.add(k);
    messenger.post({ type: 'detail', requestId: ++detailId, gpaStart: hex(a), gpaEnd: hex(b) });
  }
}

function renderRanges(ranges: MemoryMapRange[]): void {
  const body = document.querySelector('#ranges tbody')!;
  body.replaceChildren();
  for (const r of ranges) {
    const tr = document.createElement('tr');
    const cells = [`${r.gpaStart}–${r.gpaEnd}`, formatSize(BigInt(r.gpaEnd) - BigInt(r.gpaStart)), r.kind, r.label ?? '', r.private === null ? '—' : r.private ? 'yes' : 'no', r.rmp ?? '—', r.mappedAt.join(', ')];
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.appendChild(td);
    }
    tr.addEventListener('click', () => messenger.post({ type: 'open', gpa: r.gpaStart }));
    body.appendChild(tr);
  }
}

for (const state of PAGE_STATES) {
  const item = document.createElement('span');
  item.className = 'legend-item';
  const sw = document.createElement('span');
  sw.className = `swatch psbar-${state}`;
  item.append(sw, document.createTextNode(PAGE_STATE_LABELS[state]));
  $('legend').appendChild(item);
}

const fractionAt = (clientX: number) => (clientX - strip.getBoundingClientRect().left) / Math.max(1, strip.clientWidth);
strip.addEventListener('wheel', (e) => { e.preventDefault(); view = zoom(view, e.deltaY < 0 ? 0.5 : 2, fractionAt(e.clientX), limit); render(); }, { passive: false });
let drag: { x: number; moved: boolean } | null = null;
strip.addEventListener('mousedown', (e) => { drag = { x: e.clientX, moved: false }; });
window.addEventListener('mousemove', (e) => {
  if (!drag || Math.abs(e.clientX - drag.x) < 4) return;
  view = pan(view, -(e.clientX - drag.x) / Math.max(1, strip.clientWidth), limit);
  drag = { x: e.clientX, moved: true };
  render();
});
window.addEventListener('mouseup', (e) => {
  if (drag && !drag.moved && e.target instanceof HTMLElement && strip.contains(e.target)) messenger.post({ type: 'open', gpa: hex(addressAt(view, fractionAt(e.clientX))) });
  drag = null;
});
$('zoom-in').addEventListener('click', () => { view = zoom(view, 0.25, 0.5, limit); render(); });
$('zoom-out').addEventListener('click', () => { view = zoom(view, 4, 0.5, limit); render(); });
$('reset').addEventListener('click', () => { view = limit; render(); });
messenger.post({ type: 'ready' });
