// One table per scenario, as rows of text: rendered aligned in the terminal and as Markdown in
// BENCHMARKS.md.
import * as f from '../format.ts';
import { errorOf, succeeded, type BenchResults, type Outcome } from '../harness.ts';
import type { FanOutResult } from '../scenarios/fan-out.ts';
import type { ChurnRun, FilterChurnResult } from '../scenarios/filter-churn.ts';
import type { ScaleResult } from '../scenarios/scale.ts';
import { SYSTEM_LABELS, type SystemId } from '../systems/system.ts';

export interface Table {
  readonly title: string;
  readonly note: string;
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

function failedRow(label: string, error: string, width: number): string[] {
  return [label, `failed: ${error.slice(0, 80)}`, ...Array<string>(width - 2).fill('')];
}

function rowsOf<T extends object>(results: Partial<Record<SystemId, Outcome<T>>>, width: number, row: (id: SystemId, r: T) => string[]): string[][] {
  return (Object.entries(results) as Array<[SystemId, Outcome<T>]>).map(([id, r]) => {
    const result = succeeded(r);
    return result ? row(id, result) : failedRow(SYSTEM_LABELS[id], errorOf(r) ?? '', width);
  });
}

function fanOutTable(results: BenchResults): Table {
  const gateway = results.fanOut.gateway;
  const ceiling = results.fanOut.ceiling;
  const sat = (r: Outcome<FanOutResult> | undefined) => succeeded(r)?.saturation.delivered ?? Number.NaN;
  return {
    title: 'Fan-out',
    note: "Delivered frames/s at saturation (the best step of a stepped publish rate); latency publish→client at half that rate; CPU in cores busy at that step; the server core's busy share includes Redis and the kernel network stack (\"other load\": processes outside the bench, noise).",
    header: ['system', 'delivered/s at saturation', 'of ceiling', 'gateway ÷ this', 'p50', 'p99', 'p99.9', 'server CPU (its core busy)', 'generator CPU', 'other load', 'exact delivery'],
    rows: rowsOf(results.fanOut, 11, (id, r) => {
      const best = r.steps.reduce((a, b) => (b.delivered > a.delivered ? b : a));
      return [
        SYSTEM_LABELS[id],
        `${f.count(r.saturation.delivered)}${r.saturation.reached ? '' : ' (not saturated)'}`,
        f.percent(r.saturation.delivered / sat(ceiling)),
        id === 'gateway' ? '—' : f.times(sat(gateway) / r.saturation.delivered),
        f.ms(r.latency.p50Ms),
        f.ms(r.latency.p99Ms),
        f.ms(r.latency.p999Ms),
        `${best.serverCpu.toFixed(2)} (core ${f.percent(best.serverCoreBusy)})`,
        best.generatorCpu.toFixed(2),
        best.otherCpu.toFixed(2),
        `${r.exact.received}/${r.exact.expected}`,
      ];
    }),
  };
}

function scaleRow(label: string, r: ScaleResult): string[] {
  return [
    label,
    String(r.processes),
    `${r.opened}/${r.asked}`,
    `${(r.acceptMs / 1000).toFixed(1)} s (${f.count(r.opened / (r.acceptMs / 1000))}/s)`,
    f.bytes(r.bytesPerConnection),
    f.bytes(r.rssAfter),
    `${r.broadcast.reached}/${r.opened}`,
    `${r.broadcast.ms.toFixed(0)} ms`,
  ];
}

function scaleTable(results: BenchResults): Table {
  const rows = rowsOf(results.scale, 8, (id, r) => scaleRow(SYSTEM_LABELS[id], r));
  const label = 'this gateway, several processes';
  const multi = succeeded(results.scaleMulti);
  if (multi) rows.push(scaleRow(label, multi));
  else if (results.scaleMulti) rows.push(failedRow(label, errorOf(results.scaleMulti) ?? '', 8));
  return {
    title: 'Scale (idle connections)',
    note: 'Connections subscribed to everything, then idle; RSS growth of the server process(es) per connection; one published message must reach every connection.',
    header: ['system', 'processes', 'ready/asked', 'time to accept', 'RSS per connection', 'server RSS', 'broadcast reached', 'broadcast time'],
    rows,
  };
}

function metricsTable(results: BenchResults): Table {
  return {
    title: 'Metrics intervals',
    note: 'Connections on the metrics stream with mixed `configure` intervals; a connection honours its interval when its mean interval over the window is within tolerance.',
    header: ['system', 'connections', 'interval honoured', 'server CPU s/s', 'frames/s', 'mean interval per asked interval (worst)'],
    rows: rowsOf(results.metrics, 6, (id, r) => [
      SYSTEM_LABELS[id],
      String(r.opened),
      `${r.honoured}/${r.opened} (±${f.percent(r.tolerance)})`,
      r.serverCpu.toFixed(3),
      f.count(r.framesPerSecond),
      r.intervals.map((i) => `${i.interval}: ${i.meanMs.toFixed(0)} (${i.worstMs.toFixed(0)})`).join(', '),
    ]),
  };
}

function slowTable(results: BenchResults): Table {
  return {
    title: 'Slow consumers',
    note: 'A share of unfiltered connections stop reading, at half the system\'s fan-out saturation; the readers should still get everything.',
    header: ['system', 'slow/all', 'publish/s', 'readers got', 'server RSS start → peak', 'slow closed by server', 'readers closed'],
    rows: rowsOf(results.slow, 7, (id, r) => [
      SYSTEM_LABELS[id],
      `${r.slow}/${r.conns}`,
      f.count(r.publishRate),
      `${f.count(r.delivered)}/s of ${f.count(r.expected)}/s (${f.percent(r.delivered / r.expected)})`,
      `${f.bytes(r.rssStart)} → ${f.bytes(r.rssPeak)}`,
      `${r.slowClosed}${Object.keys(r.slowCloseCodes).length ? ` (codes ${Object.entries(r.slowCloseCodes).map(([c, n]) => `${c}×${n}`).join(', ')})` : ''}`,
      String(r.readersClosed),
    ]),
  };
}

function churnTable(outcome: Outcome<FilterChurnResult>): Table {
  const header = ['filters', 'joined', 'join', 'worst bystander ping (join)', 'in gateway CPU', 'leave', 'worst bystander ping (leave)', 'in gateway CPU', 'bystander pings'];
  const result = succeeded(outcome);
  const row = (label: string, r: ChurnRun, base?: ChurnRun) => {
    const vs = (value: number, baseline: number | undefined) => (base && baseline !== undefined ? ` (${f.times(value / baseline)})` : '');
    return [
      label,
      `${r.opened}/${result!.conns}${r.failed ? `, ${r.failed} failed` : ''}`,
      `${f.ms(r.joinMs)}${vs(r.joinMs, base?.joinMs)}`,
      `${f.ms(r.worstJoinPingMs)}${vs(r.worstJoinPingMs, base?.worstJoinPingMs)}`,
      f.ms(r.worstJoinPingCpuMs),
      `${f.ms(r.leaveMs)}${vs(r.leaveMs, base?.leaveMs)}`,
      `${f.ms(r.worstLeavePingMs)}${vs(r.worstLeavePingMs, base?.worstLeavePingMs)}`,
      f.ms(r.worstLeavePingCpuMs),
      String(r.pings),
    ];
  };
  return {
    title: 'Filter churn',
    note: 'Connections join one gateway (each subscribes, then pings to know it was handled) and then all close, while a bystander connection pings (40/s, each ping when the last pong is in). Its worst round trip is given in wall time and in gateway CPU time meanwhile (10 ms ticks: the work the gateway did before answering, without the waits for a core that other work on the machine causes). The baseline: every connection holds the same filter (one filter group); then each holds a filter of its own (one group each), with the ratio to the baseline in brackets.',
    header,
    rows: result
      ? [row('one shared filter (baseline)', result.shared), row('a distinct filter each', result.distinct, result.shared)]
      : [failedRow('filter churn', errorOf(outcome) ?? '', header.length)],
  };
}

function ingestTable(results: BenchResults): Table {
  const r = succeeded(results.ingest);
  const row = (what: string, figure: string, detail: string) => [what, figure, detail];
  return {
    title: 'Ingest',
    note: 'The collector\'s side, this project only: a line appended to a tailed debug log until its frame reaches a client (real collector, gateway and Redis; writer and client in one process, one clock); the debug-log parser alone, in the runner; the collector\'s CPU for one poll of a generated `lmstat -a` (parse, metrics, alert rules, validation; lmutil\'s own process not counted).',
    header: ['measure', 'figure', 'detail'],
    rows: r
      ? [
          row('line → client frame', `p50 ${f.ms(r.latency.p50Ms)}, p99 ${f.ms(r.latency.p99Ms)}`, `${f.count(r.latency.rate)} lines/s; ${r.latency.received} of ${r.latency.written} lines arrived; max ${f.ms(r.latency.maxMs)}`),
          row('debug-log parser', `${f.count(r.parser.linesPerSecond)} lines/s`, `best of 3 runs over ${f.count(r.parser.lines)} lines`),
          row('CPU per lmstat poll', f.ms(r.poll.cpuMsPerPoll), `${r.poll.features} features, ${f.count(r.poll.checkouts)} checkouts, ${f.bytes(r.poll.bytes)} of output; mean of ${r.poll.polls} polls`),
          row('servers per collector at a 60 s poll', f.count(r.poll.serversAt60s), 'one core: 60 s ÷ CPU per poll'),
        ]
      : [failedRow('ingest', errorOf(results.ingest) ?? '', 3)],
  };
}

export function scenarioTables(results: BenchResults): Table[] {
  const tables: Table[] = [];
  if (Object.keys(results.fanOut).length) tables.push(fanOutTable(results));
  if (Object.keys(results.scale).length || results.scaleMulti) tables.push(scaleTable(results));
  if (Object.keys(results.metrics).length) tables.push(metricsTable(results));
  if (Object.keys(results.slow).length) tables.push(slowTable(results));
  if (results.churn) tables.push(churnTable(results.churn));
  if (results.ingest) tables.push(ingestTable(results));
  return tables;
}

/** Aligned plain text for the terminal. */
export function renderText(table: Table): string {
  const all = [table.header, ...table.rows];
  const widths = table.header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  return [`${table.title}`, line(table.header), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
}

export function renderMarkdown(table: Table): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  return [
    `| ${table.header.map(escape).join(' | ')} |`,
    `| ${table.header.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}
