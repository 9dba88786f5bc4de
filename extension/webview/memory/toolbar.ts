// The inspector's toolbar: address space (GPA/GVA), guest/host view, "go to" box, follow-frame
// toggle, the page-state legend, the byte editor and a status line. Plain DOM; built from the
// markup the host generates (memoryHtml.ts) so the CSP never needs inline handlers.
import { PAGE_STATE_LABELS, PAGE_STATES, type AddressSpace, type MemoryView, type SessionInfo } from '../../../protocol/webviewMessages';
import { parseHexBytes } from './hexLayout';

export interface ToolbarHost {
  changeSpace(space: AddressSpace): void;
  changeView(view: MemoryView): void;
  go(text: string): void;
  follow(enabled: boolean): void;
  write(address: bigint, data: Uint8Array): void;
}

const $ = <T extends HTMLElement>(root: ParentNode, sel: string): T => {
  const el = root.querySelector<T>(sel);
  if (!el) throw new Error(`inspector markup lacks ${sel}`);
  return el;
};

export class Toolbar {
  private readonly space: HTMLSelectElement;
  private readonly guestButton: HTMLButtonElement;
  private readonly hostButton: HTMLButtonElement;
  private readonly followBox: HTMLInputElement;
  private readonly statusLine: HTMLElement;
  private readonly editForm: HTMLFormElement;
  private readonly editInput: HTMLInputElement;
  private readonly editLabel: HTMLElement;
  private editAddress = 0n;

  constructor(root: HTMLElement, private readonly host: ToolbarHost) {
    this.space = $(root, '#space');
    this.guestButton = $(root, '#view-guest');
    this.hostButton = $(root, '#view-host');
    this.followBox = $(root, '#follow');
    this.statusLine = $(document, '#status');
    this.editForm = $(document, '#edit');
    this.editInput = $(this.editForm, 'input');
    this.editLabel = $(this.editForm, '.edit-address');
    const go = $<HTMLFormElement>(root, '#go');
    const goInput = $<HTMLInputElement>(go, 'input');
    this.space.addEventListener('change', () => host.changeSpace(this.space.value as AddressSpace));
    this.guestButton.addEventListener('click', () => { this.setView('guest'); host.changeView('guest'); });
    this.hostButton.addEventListener('click', () => { this.setView('host'); host.changeView('host'); });
    this.followBox.addEventListener('change', () => host.follow(this.followBox.checked));
    go.addEventListener('submit', (e) => {
      e.preventDefault();
      if (goInput.value.trim()) host.go(goInput.value.trim());
    });
    this.editForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const bytes = parseHexBytes(this.editInput.value);
      if (!bytes) {
        this.status('Write: type hex bytes, e.g. "de ad be ef"', true);
        return;
      }
      this.editForm.hidden = true;
      host.write(this.editAddress, bytes);
    });
    this.editForm.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.editForm.hidden = true; });
    this.renderLegend($(document, '#legend'));
  }

  private renderLegend(legend: HTMLElement): void {
    for (const state of PAGE_STATES) {
      const item = document.createElement('span');
      item.className = `legend-item`;
      const swatch = document.createElement('span');
      swatch.className = `swatch psbar-${state}`;
      item.append(swatch, document.createTextNode(PAGE_STATE_LABELS[state]));
      legend.appendChild(item);
    }
  }

  setSpace(space: AddressSpace): void {
    this.space.value = space;
  }

  setView(view: MemoryView): void {
    this.guestButton.setAttribute('aria-pressed', String(view === 'guest'));
    this.hostButton.setAttribute('aria-pressed', String(view === 'host'));
    document.body.classList.toggle('host-view', view === 'host');
  }

  setFollow(on: boolean): void {
    this.followBox.checked = on;
  }

  session(s: SessionInfo | null): void {
    this.hostButton.disabled = !s?.hostView;
    this.hostButton.title = s?.hostView ? 'What the VMM reads: ciphertext for private pages' : 'This VM has no private memory: the host reads the same bytes as the guest';
    document.body.dataset.session = s ? s.state : 'none';
  }

  startEdit(address: bigint, current: number[]): void {
    this.editAddress = address;
    this.editLabel.textContent = `Write at 0x${address.toString(16)}:`;
    this.editInput.value = current.map((b) => (b < 0 ? '00' : b.toString(16).padStart(2, '0'))).join(' ');
    this.editForm.hidden = false;
    this.editInput.focus();
    this.editInput.select();
  }

  status(text: string, error = false): void {
    this.statusLine.textContent = text;
    this.statusLine.classList.toggle('error', error);
  }
}
