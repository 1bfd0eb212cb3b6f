// Loaded with `node --import` into a benchmarked process: reports its peak RSS and CPU time (every
// thread's, worker threads included) on exit.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  writeSync(2, `\nPEAK_RSS_KB ${usage.maxRSS}\nCPU_US ${usage.userCPUTime + usage.systemCPUTime}\n`);
});
