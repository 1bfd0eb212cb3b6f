// Loaded with `node --import` into a benchmarked process: reports its peak RSS on exit.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nPEAK_RSS_KB ${process.resourceUsage().maxRSS}\n`);
});
