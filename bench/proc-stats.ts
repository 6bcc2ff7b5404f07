// What the bench reads about processes and the machine: CPU pinning (taskset), and from /proc the
// resident memory and CPU time of a process.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The systems under test (server processes and their Redis) run on this core… */
export const SERVER_CORE = 0;
/** …and the load (the runner, which publishes, and its load-generator workers) on this one. */
export const LOAD_CORE = 1;

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** True when `taskset` (util-linux) is available and there are at least two cores to split. */
export function canPin(cores: number): boolean {
  if (cores < 2) return false;
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pin a running process, every thread it has and will create, to one core. */
export function pinToCore(pid: number, core: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
}

/** Resident set size in bytes (0 when the process is gone). */
export function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * User + system CPU seconds used so far (0 when the process is gone). With `mainThread`, only its
 * main thread's (a Node process's event loop, without its GC and I/O helper threads).
 */
export function cpuSeconds(pid: number, mainThread = false): number {
  try {
    const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Sum over several processes. */
export const totalRss = (pids: readonly number[]) => pids.reduce((sum, pid) => sum + rssBytes(pid), 0);
export const totalCpu = (pids: readonly number[]) => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);

/** Measures CPU use (cores busy, 1 = one full core) of a set of processes over an interval. */
export class CpuMeter {
  private startCpu: number;
  private startAt = performance.now();

  constructor(private readonly pids: readonly number[]) {
    this.startCpu = totalCpu(pids);
  }

  /** Cores busy since construction or the last read; restarts the interval. */
  read(): number {
    const cpu = totalCpu(this.pids);
    const now = performance.now();
    const busy = (cpu - this.startCpu) / ((now - this.startAt) / 1000);
    this.startCpu = cpu;
    this.startAt = now;
    return busy;
  }
}

interface CoreTimes {
  /** Jiffies running processes (user, nice, system, steal). */
  readonly tasks: number;
  /** Jiffies in interrupts and softirqs: mostly the kernel's network stack, charged to no process. */
  readonly interrupts: number;
  readonly total: number;
}

/** Jiffies of every core, from /proc/stat. */
function coreTimes(): CoreTimes[] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line))
    .map((line) => {
      const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1, 9).map(Number) as [number, number, number, number, number, number, number, number];
      const tasks = user + nice + system + steal;
      return { tasks, interrupts: irq + softirq, total: tasks + irq + softirq + idle + iowait };
    });
}

/** What kept one core busy over an interval, as shares (0-1) of it. */
export interface CoreUse {
  readonly tasks: number;
  readonly interrupts: number;
}

/**
 * Measures how busy each core was over an interval, whoever used it. Set against the CPU of the
 * processes under test, it shows how much of "their" core other work on the machine took — and
 * how much the kernel's network stack took (softirqs are charged to no process).
 */
export class CoreMeter {
  private start = coreTimes();

  /** Each core's use since construction or the last read; restarts the interval. */
  read(): CoreUse[] {
    const now = coreTimes();
    const use = now.map((t, i) => {
      const s = this.start[i] ?? { tasks: 0, interrupts: 0, total: 0 };
      const total = t.total - s.total;
      return total > 0 ? { tasks: (t.tasks - s.tasks) / total, interrupts: (t.interrupts - s.interrupts) / total } : { tasks: 0, interrupts: 0 };
    });
    this.start = now;
    return use;
  }
}
