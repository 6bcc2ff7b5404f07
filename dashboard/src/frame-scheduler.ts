// Repaint at most once per animation frame, whatever the message rate. Messages only change the
// stores and ask for a repaint; thousands of log lines a second become one DOM update per frame
// (and none while the tab is hidden, when browsers stop animation frames).

export type Render = () => void;

export class FrameScheduler {
  private readonly pending = new Set<Render>();
  private requested = false;

  /** Run `render` in the next animation frame (once, however often it is asked for before then). */
  request(render: Render): void {
    this.pending.add(render);
    if (this.requested) return;
    this.requested = true;
    requestAnimationFrame(this.flush);
  }

  private readonly flush = (): void => {
    this.requested = false;
    const renders = [...this.pending];
    this.pending.clear();
    for (const render of renders) {
      try {
        render();
      } catch (err) {
        // One panel's bug must not freeze the others: report it and go on.
        console.error('dashboard: a panel failed to render', err);
      }
    }
  };
}
