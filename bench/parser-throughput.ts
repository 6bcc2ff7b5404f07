// `npm run bench:parser`: the debug-log parser's throughput (issue 10 §5: ≥ 200k lines/s), on a
// realistic mix (checkouts and check-ins, denials with reasons, a wrapped `(N licenses)`, start-up
// chatter, TIMESTAMP lines, a day's worth of times) in a DST zone. Figures per CPU-second of this
// process as well as per wall second, since a shared machine's load bends wall time; and, as a
// baseline measured in the same run, one anchored regex match per line (the floor of reading a
// line at all), so the ratio says what the parsing costs on top whatever the machine's state.
import { parseArgs } from 'node:util';
import { DebugLogParser } from '../collector/parsers/debuglog.ts';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '300000' }, runs: { type: 'string', default: '5' } } });
const LINES = Number(values.lines);
const RUNS = Number(values.runs);
const TARGET = 200_000;

function workload(count: number): string[] {
  const users = ['jsmith', 'adoe', 'm.weber', 'regress_nightly_farm', 'Anna Berg'];
  const lines: string[] = [' 0:00:00 (lmgrd) TIMESTAMP 3/9/2025'];
  for (let i = 0; lines.length < count; i++) {
    const s = Math.floor((i * 86_400) / count) * 2; // two days: midnight and the DST change of 3/9 in New York
    const time = `${String(Math.floor(s / 3600) % 24).padStart(2, ' ')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    const who = `${users[i % users.length]}@ws-${i % 300}`;
    switch (i % 20) {
      case 0:
        lines.push(`${time} (snpslmd) DENIED: "VCSRuntime_Net" ${who}  (Licensed number of users already reached. (-4,342))`);
        break;
      case 1:
        lines.push(`${time} (snpslmd) OUT: "VCSRuntime_Net_Compile_Farm" regress_nightly_farm@lsf-n${i % 500}.eda.example.com  `, '                   (8 licenses)');
        break;
      case 2:
        lines.push(`${time} (lmgrd) TIMESTAMP 3/${9 + Math.floor((2 * i) / count)}/2025`);
        break;
      case 3:
        lines.push(`${time} (adskflex) SLOG: Statistics Log Frequency is 240 minute(s).`);
        break;
      default:
        lines.push(`${time} (adskflex) ${i % 2 ? 'OUT' : 'IN'}: "Maya_Complete" ${who}  ${i % 7 === 0 ? '(4 licenses)' : ''}`);
    }
  }
  return lines;
}

function measure(lines: readonly string[], each: (line: string) => number): { wall: number; cpu: number; found: number } {
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let found = 0;
  for (const line of lines) found += each(line);
  const wall = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall: lines.length / wall, cpu: lines.length / ((cpu.user + cpu.system) / 1e6), found };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const LINE_RE = /^\s*(\d{1,2}):(\d{2}):(\d{2}) \(([^()\s]+)\) ?(.*)$/;

const lines = workload(LINES);
const parser: number[][] = [];
const baseline: number[][] = [];
let events = 0;
for (let run = 0; run < RUNS; run++) {
  const p = new DebugLogParser({ timeZone: 'America/New_York', now: () => new Date('2025-03-09T12:00:00Z') });
  const parsed = measure(lines, (line) => p.push(line).events.length);
  events = parsed.found + p.flush().events.length;
  parser.push([parsed.wall, parsed.cpu]);
  const floor = measure(lines, (line) => (LINE_RE.exec(line) ? 1 : 0));
  baseline.push([floor.wall, floor.cpu]);
}

const wall = median(parser.map((r) => r[0]!));
const cpu = median(parser.map((r) => r[1]!));
const floorCpu = median(baseline.map((r) => r[1]!));
const k = (n: number) => `${Math.round(n / 1000)}k`;
console.log(`debug-log parser, ${lines.length} lines (${events} events), median of ${RUNS} runs:`);
console.log(`  parser:   ${k(wall)} lines/s wall, ${k(cpu)} lines per CPU-second`);
console.log(`  baseline: ${k(median(baseline.map((r) => r[0]!)))} lines/s wall, ${k(floorCpu)} lines per CPU-second (one regex match per line)`);
console.log(`  parsing costs ${(floorCpu / cpu).toFixed(1)}× a bare line match`);
console.log(`${cpu >= TARGET ? '✓' : '✗'} debug-log parser ≥ ${k(TARGET)} lines per CPU-second: ${k(cpu)}`);
