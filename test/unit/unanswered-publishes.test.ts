// The bus's record of each producer's publishes still unanswered (shared/bus/unanswered-publishes.ts):
// what the publish script is told is the oldest, and when a message it refused may go again.
import { describe, expect, it } from 'vitest';
import { UnansweredPublishes } from '../../shared/bus/unanswered-publishes.ts';

describe('UnansweredPublishes', () => {
  it('names the oldest publish still unanswered, per producer and stream', () => {
    const unanswered = new UnansweredPublishes();
    const [a1, a2, a3] = [1, 2, 3].map((seq) => unanswered.begin('p', 'site-a', seq));
    const other = unanswered.begin('p', 'site-b', 7);
    expect([a1!.oldest(), a2!.oldest(), a3!.oldest()]).toEqual([1, 1, 1]);
    expect(other.oldest(), 'another stream is another sequence').toBe(7);
    a1!.end();
    expect(a3!.oldest()).toBe(2);
    a2!.end();
    a3!.end();
    expect(unanswered.begin('p', 'site-a', 4).oldest(), 'nothing older left').toBe(4);
  });

  it('lets a refused publish go again once every earlier one was answered, not before', async () => {
    const unanswered = new UnansweredPublishes();
    const [first, second, third] = [1, 2, 3].map((seq) => unanswered.begin('p', 'site', seq));
    let thirdMayGo = false;
    const waiting = third!.earlierAnswered().then(() => void (thirdMayGo = true));
    second!.end();
    await Promise.resolve();
    expect(thirdMayGo, 'the first is still on its way').toBe(false);
    first!.end();
    await waiting;
    expect(thirdMayGo).toBe(true);
    await first!.earlierAnswered(); // nothing before the first: at once
  });

  it('keeps a repeated number unanswered until the repeat is answered too', () => {
    const unanswered = new UnansweredPublishes();
    const original = unanswered.begin('p', 'site', 5);
    const repeat = unanswered.begin('p', 'site', 5);
    const later = unanswered.begin('p', 'site', 6);
    original.end();
    expect(later.oldest()).toBe(5);
    repeat.end();
    expect(later.oldest()).toBe(6);
  });
});
