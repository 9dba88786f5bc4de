// A vertical scrollbar over a row space too large for the browser (a 64 GiB guest has 4 G rows):
// the thumb position is the top row's fraction of the whole, computed in bigint, so the view
// only ever renders the rows on screen.

export class BigScrollbar {
  private readonly thumb: HTMLElement;
  private dragging: { startY: number; startFraction: number } | null = null;
  private fraction = 0;

  /** `onScrollTo(fraction)` is called with 0..1 while dragging; `onPage(±1)` on a track click. */
  constructor(private readonly track: HTMLElement, private readonly onScrollTo: (fraction: number) => void, private readonly onPage: (direction: 1 | -1) => void) {
    this.thumb = document.createElement('div');
    this.thumb.className = 'big-scroll-thumb';
    track.appendChild(this.thumb);
    this.thumb.addEventListener('mousedown', (e) => {
      e.preventDefault();
      this.dragging = { startY: e.clientY, startFraction: this.fraction };
    });
    window.addEventListener('mousemove', (e) => {
      if (!this.dragging) return;
      const usable = Math.max(1, track.clientHeight - this.thumb.offsetHeight);
      const f = Math.min(1, Math.max(0, this.dragging.startFraction + (e.clientY - this.dragging.startY) / usable));
      this.onScrollTo(f);
    });
    window.addEventListener('mouseup', () => { this.dragging = null; });
    track.addEventListener('mousedown', (e) => {
      if (e.target !== track) return;
      this.onPage(e.offsetY < this.thumb.offsetTop ? -1 : 1);
    });
  }

  /** Positions the thumb for `top` of `total` rows with `visible` rows on screen. */
  update(top: bigint, visible: number, total: bigint): void {
    const maxTop = total > BigInt(visible) ? total - BigInt(visible) : 0n;
    this.fraction = maxTop === 0n ? 0 : Number((top * 1_000_000n) / maxTop) / 1_000_000;
    const trackHeight = this.track.clientHeight;
    const ratio = total === 0n ? 1 : Math.min(1, visible / Number(total));
    const thumbHeight = Math.max(18, Math.round(trackHeight * ratio));
    this.thumb.style.height = `${thumbHeight}px`;
    this.thumb.style.top = `${Math.round((trackHeight - thumbHeight) * this.fraction)}px`;
  }
}
