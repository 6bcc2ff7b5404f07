// The client's position in each stream: ordering by (ms, seq) as numbers, de-duplication, epochs,
// and the `since` list it resumes with.
import { describe, expect, it } from 'vitest';
import { ResumeTracker, comparePositions, parseMessageId } from '../../client/resume-tracker.ts';

const position = (id: string) => parseMessageId(id)!;

describe('message ids', () => {
  it('parse with and without an epoch; anything else is not an id', () => {
    expect(parseMessageId('berlin:1700000000000-3')).toMatchObject({ stream: 'berlin', epoch: '', ms: '1700000000000', seq: '3' });
    expect(parseMessageId('_:k3x9a2:1700000000000-0')).toMatchObject({ stream: '_', epoch: 'k3x9a2', ms: '1700000000000', seq: '0' });
    for (const bad of ['', 'berlin', ':1-1', 'berlin:1', 'berlin:1-', 'berlin:-1', 'berlin:1-1x', 'berlin:a-1']) expect(parseMessageId(bad), bad).toBeUndefined();
  });

  it('compare ms then seq, as numbers — not as strings, not as floats', () => {
    expect(comparePositions(position('s:9-0'), position('s:10-0'))).toBeLessThan(0);
    expect(comparePositions(position('s:10-2'), position('s:10-10'))).toBeLessThan(0);
    expect(comparePositions(position('s:10-10'), position('s:10-10'))).toBe(0);
    expect(comparePositions(position('s:11-0'), position('s:10-99'))).toBeGreaterThan(0);
    // Beyond 2^53 a float comparison says these are equal.
    expect(comparePositions(position('s:1-9007199254740993'), position('s:1-9007199254740992'))).toBeGreaterThan(0);
  });
});

describe('ResumeTracker', () => {
  it('accepts each id once, in stream order, and drops repeats and anything older', () => {
    const tracker = new ResumeTracker();
    expect(tracker.accept('berlin:100-0')).toBe(true);
    expect(tracker.accept('berlin:100-1')).toBe(true);
    expect(tracker.accept('berlin:100-1')).toBe(false);
    expect(tracker.accept('berlin:100-0')).toBe(false);
    expect(tracker.accept('berlin:99-7')).toBe(false);
    expect(tracker.accept('berlin:101-0')).toBe(true);
    expect(tracker.lastId('berlin')).toBe('berlin:101-0');
  });

  it('keeps streams apart: each has its own order', () => {
    const tracker = new ResumeTracker();
    expect(tracker.accept('berlin:500-0')).toBe(true);
    expect(tracker.accept('austin:100-0')).toBe(true);
    expect(tracker.accept('_:1-0')).toBe(true);
    expect(tracker.accept('austin:100-0')).toBe(false);
    expect(tracker.since()).toBe('berlin:500-0,austin:100-0,_:1-0');
  });

  it('replay overlapping live delivery yields every id exactly once', () => {
    const tracker = new ResumeTracker();
    const delivered: string[] = [];
    const live = ['pune:1-0', 'pune:2-0', 'pune:3-0'];
    const replay = ['pune:2-0', 'pune:3-0', 'pune:4-0', 'pune:5-0'];
    for (const id of [...live, ...replay, 'pune:5-0', 'pune:6-0']) if (tracker.accept(id)) delivered.push(id);
    expect(delivered).toEqual(['pune:1-0', 'pune:2-0', 'pune:3-0', 'pune:4-0', 'pune:5-0', 'pune:6-0']);
  });

  it('starts from a since list, keeping the later id when a stream is named twice', () => {
    const tracker = new ResumeTracker(' berlin:5-0, austin:7-1,berlin:9-0 ,berlin:6-0');
    expect(tracker.since()).toBe('berlin:9-0,austin:7-1');
    expect(tracker.accept('berlin:9-0')).toBe(false);
    expect(tracker.accept('berlin:9-1')).toBe(true);
    expect(new ResumeTracker().since()).toBeUndefined();
    expect(new ResumeTracker('').since()).toBeUndefined();
  });

  it('a new epoch restarts the stream: its first id is accepted even at a lower position', () => {
    const tracker = new ResumeTracker();
    expect(tracker.accept('berlin:e1:2000-5')).toBe(true);
    expect(tracker.accept('berlin:e2:1000-0')).toBe(true);
    expect(tracker.accept('berlin:e2:1000-0')).toBe(false);
    expect(tracker.accept('berlin:e2:1000-1')).toBe(true);
    expect(tracker.since()).toBe('berlin:e2:1000-1');
  });

  it('after HISTORY_TRUNCATED (rebase) the next id of that stream is the new start, once', () => {
    const tracker = new ResumeTracker('berlin:5000-0,austin:10-0');
    tracker.rebase('berlin');
    expect(tracker.accept('austin:9-0')).toBe(false); // other streams keep their order
    expect(tracker.accept('berlin:4000-0')).toBe(true);
    expect(tracker.accept('berlin:3999-0')).toBe(false);
    expect(tracker.accept('berlin:4000-1')).toBe(true);
  });

  it('delivers ids it cannot parse without tracking them', () => {
    const tracker = new ResumeTracker();
    expect(tracker.accept('not-an-id')).toBe(true);
    expect(tracker.accept('not-an-id')).toBe(true);
    expect(tracker.since()).toBeUndefined();
  });
});
