// `lmutil` answered in-process from a simulated farm, behind the same ToolRunner seam the real
// collector runs lmutil through: the status sources and parsers cannot tell the difference.
import type { ToolRunner } from '../tools/tool-runner.ts';
import type { SimulatedFarm } from './farm.ts';

export function simulatedTools(farm: SimulatedFarm): ToolRunner {
  return {
    async run(_command, args) {
      const [tool, mode, flag, address] = args;
      const host = /^\d+@([^,]+)/.exec(address ?? '')?.[1];
      const server = farm.servers.find((s) => s.hosts[0] === host);
      if (tool !== 'lmstat' || flag !== '-c' || !server) return { stdout: '', stderr: `lmutil: unknown command or license server: ${args.join(' ')}\n`, exitCode: 2 };
      if (mode === '-i') return { stdout: farm.lmstatI(server), stderr: '', exitCode: 0 };
      const stdout = farm.lmstat(server);
      return { stdout, stderr: '', exitCode: stdout.includes('Error getting status') ? 1 : 0 };
    },
  };
}
