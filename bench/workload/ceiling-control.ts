// The ceiling app makes its own frames; the runner only tells it the rate, over HTTP.
import type { MessageSource } from './message-source.ts';

export class CeilingControl implements MessageSource {
  constructor(private readonly port: number) {}

  async setRate(perSecond: number): Promise<void> {
    await this.get(`/control?rate=${perSecond}`);
  }

  async sendCount(count: number, perSecond: number): Promise<void> {
    const before = await this.published();
    await this.get(`/control?rate=${perSecond}&count=${count}`);
    const deadline = Date.now() + 30_000 + (count / perSecond) * 1000;
    while ((await this.published()) < before + count) {
      if (Date.now() > deadline) throw new Error('the ceiling app did not send its messages in time');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async setMetricsRate(): Promise<void> {
    throw new Error('the ceiling app has no metrics stream');
  }

  async published(): Promise<number> {
    return ((await this.get('/stats')) as { sent: number }).sent;
  }

  async close(): Promise<void> {
    await this.setRate(0).catch(() => undefined);
  }

  private async get(path: string): Promise<unknown> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`);
    if (!res.ok) throw new Error(`ceiling app ${path}: HTTP ${res.status}`);
    return res.json();
  }
}
