// The spec's log filter as controls: levels (checkboxes), source and pattern (text). A level
// applies when toggled, a text field on Enter or when it loses focus — never per keystroke, since
// each change of filter opens a new connection.
import type { Filter, Level } from '@licmon/client';
import { el } from '../dom.ts';
import { LEVELS } from '../levels.ts';

export class LogFilterControls {
  private readonly levels = new Map<Level, HTMLInputElement>();
  private readonly source = el('input', { type: 'text', placeholder: 'source, e.g. license-server', 'aria-label': 'source', spellcheck: 'false' });
  private readonly pattern = el('input', { type: 'text', placeholder: 'pattern, e.g. denied|expire', 'aria-label': 'pattern', spellcheck: 'false' });
  private readonly error = el('span', { class: 'error', role: 'alert' });
  private applied = 'null';

  constructor(root: HTMLElement, private readonly onChange: (filter: Filter | null) => void) {
    const boxes = LEVELS.map((level) => {
      const box = el('input', { type: 'checkbox', value: level });
      box.checked = true;
      box.addEventListener('change', () => this.apply());
      this.levels.set(level, box);
      return el('label', { class: 'level-toggle', 'data-level': level }, box, level);
    });
    for (const input of [this.source, this.pattern]) input.addEventListener('change', () => this.apply());
    root.append(el('fieldset', { class: 'levels' }, el('legend', {}, 'levels'), ...boxes), this.source, this.pattern, this.error);
  }

  /** The filter last applied (null: everything). */
  current(): Filter | null {
    return JSON.parse(this.applied) as Filter | null;
  }

  showError(text: string): void {
    this.error.textContent = text;
  }

  /** The filter as the controls read now; null when they select everything. */
  private read(): Filter | null | 'no-level' {
    const levels = LEVELS.filter((level) => this.levels.get(level)!.checked);
    if (levels.length === 0) return 'no-level';
    const sources = this.source.value.split(',').map((s) => s.trim()).filter(Boolean);
    const pattern = this.pattern.value;
    const filter: Filter = {
      ...(levels.length < LEVELS.length && { level: levels }),
      ...(sources.length > 0 && { source: sources.length === 1 ? sources[0] : sources }),
      ...(pattern !== '' && { pattern }),
    };
    return Object.keys(filter).length === 0 ? null : filter;
  }

  private apply(): void {
    const filter = this.read();
    if (filter === 'no-level') return this.showError('choose at least one level');
    this.showError('');
    const text = JSON.stringify(filter);
    if (text === this.applied) return;
    this.applied = text;
    this.onChange(filter);
  }
}
