// The connection's state, always in view: live / resumed / connecting / reconnecting / closed,
// with a line saying why and what happens next. `data-state` carries it for styles and tests.
import type { ConnectionView } from '../connection.ts';
import { setText } from '../dom.ts';

const LABEL: Record<ConnectionView['state'], string> = {
  live: 'live',
  resumed: 'resumed',
  connecting: 'connecting',
  reconnecting: 'reconnecting',
  closed: 'disconnected',
};

export class ConnectionBadge {
  constructor(private readonly badge: HTMLElement, private readonly detail: HTMLElement) {}

  show(view: ConnectionView): void {
    this.badge.dataset.state = view.state;
    setText(this.badge, LABEL[view.state]);
    setText(this.detail, view.detail);
    this.badge.title = view.detail;
  }

  reset(): void {
    this.badge.dataset.state = 'idle';
    setText(this.badge, 'not connected');
    setText(this.detail, '');
  }
}
