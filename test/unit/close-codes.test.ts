// The close-code table is the one place a close code is defined: its entries keep the documented
// ranges, and no code elsewhere closes a connection with a number of its own.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, CloseCode, closeCodeEntry, shouldReconnect } from '../../shared/protocol/close-codes.ts';

const root = new URL('../..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((f) => f.isFile() && /\.(ts|mjs)$/.test(f.name))
    .map((f) => join(f.parentPath, f.name));
}

describe('close codes', () => {
  it('are unique, named once, and keep the ranges: 4000-4399 reconnect, 4400-4499 do not', () => {
    expect(new Set(CLOSE_CODES.map((e) => e.code)).size).toBe(CLOSE_CODES.length);
    expect(new Set(CLOSE_CODES.map((e) => e.name)).size).toBe(CLOSE_CODES.length);
    for (const entry of CLOSE_CODES) {
      if (entry.code >= 4000 && entry.code <= 4399) expect(entry.reconnect, String(entry.code)).toBe(true);
      if (entry.code >= 4400 && entry.code <= 4499) expect(entry.reconnect, String(entry.code)).toBe(false);
      expect(CloseCode[entry.name]).toBe(entry.code);
      expect(closeCodeEntry(entry.code)).toBe(entry);
      expect(shouldReconnect(entry.code)).toBe(entry.reconnect);
    }
  });

  it('answer codes outside the table by the range rule', () => {
    expect(closeCodeEntry(1001)).toBeUndefined();
    expect([1001, 1005, 1013, 4002, 4399].map(shouldReconnect)).toEqual([true, true, true, true, true]);
    expect([4400, 4402, 4499].map(shouldReconnect)).toEqual([false, false, false]);
  });

  it('are never written as bare numbers where a connection is closed', () => {
    const offenders: string[] = [];
    for (const file of ['gateway', 'client', 'cli', 'dashboard/src'].flatMap(sources)) {
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        if (/\.(?:close|end)\(\s*[14]\d{3}\b|\.closeKey\([^,]*,\s*[14]\d{3}\b/.test(line)) offenders.push(`${file.slice(root.length)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
