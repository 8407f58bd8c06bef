/**
 * CPU time spent during a piece of work by this process and by the local Postgres and Redis
 * servers (every process whose name starts with `postgres` / `redis-server`, read from /proc).
 * On a machine where all three share the cores, throughput is bounded by the total CPU per unit
 * of work, so these numbers say how far apart two designs can be, whatever the latency does.
 * Servers on another machine (or no /proc) read as 0.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc's utime/stime: 100 on every Linux Node supports. */
const TICKS_PER_SECOND = 100;

/** Milliseconds of CPU (user + system) used so far by the processes whose name starts with a prefix. */
function serverCpuMs(prefix: string): number {
  let ticks = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone since the listing
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!name.startsWith(prefix)) continue;
    // Fields after "(name) ": state is [0], utime [11], stime [12] (proc(5) numbers them 14, 15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

export interface CpuSpent {
  nodeMs: number;
  postgresMs: number;
  redisMs: number;
}

/** Runs `work` and returns its result with the CPU the three spent meanwhile. */
export async function withCpuAccounting<T>(work: () => Promise<T>): Promise<{ result: T; cpu: CpuSpent }> {
  const node = process.cpuUsage();
  const postgres = serverCpuMs('postgres');
  const redis = serverCpuMs('redis-server');
  const result = await work();
  const used = process.cpuUsage(node);
  return {
    result,
    cpu: {
      nodeMs: (used.user + used.system) / 1000,
      postgresMs: serverCpuMs('postgres') - postgres,
      redisMs: serverCpuMs('redis-server') - redis,
    },
  };
}

/** "node 1.10 + postgres 0.00 + redis 0.55 = 1.65 ms" per unit of work. */
export function describeCpuPer(cpu: CpuSpent, units: number): string {
  const per = (ms: number) => (ms / units).toFixed(2);
  return `node ${per(cpu.nodeMs)} + postgres ${per(cpu.postgresMs)} + redis ${per(cpu.redisMs)} = ${per(cpu.nodeMs + cpu.postgresMs + cpu.redisMs)} ms`;
}
