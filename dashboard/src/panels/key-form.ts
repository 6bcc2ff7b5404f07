// The API key, typed once. Submitting never navigates (the form has no action and its input no
// name), so the key cannot end up in the URL or the history even if a script fails.

export class KeyForm {
  constructor(
    private readonly panel: HTMLElement,
    form: HTMLFormElement,
    private readonly input: HTMLInputElement,
    private readonly error: HTMLElement,
    onKey: (key: string) => void,
  ) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (key === '') return;
      input.value = '';
      onKey(key);
    });
  }

  ask(error = ''): void {
    this.error.textContent = error;
    this.panel.hidden = false;
    this.input.focus();
  }

  hide(): void {
    this.panel.hidden = true;
    this.error.textContent = '';
  }
}
