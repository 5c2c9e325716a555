/**
 * `npm run bench:engine`: prints engine throughput figures. Not a test.
 * Exits non-zero when a fast result disagrees with its naive reference.
 *
 * Sections are self-contained functions; add new ones to the list below.
 */
import { runCalendarBench } from './calendar-bench.js';
import { runEvaluateBench } from './evaluate.bench.js';

const sections: Array<{ title: string; run: () => { ok: boolean } }> = [
  { title: 'Business calendar (src/engine/calendar)', run: () => runCalendarBench() },
  {
    title: 'Clock evaluation, 50-event timelines (src/engine/evaluate)',
    run: () => ({ ok: runEvaluateBench().timelinesPerSecond > 0 }),
  },
];

let ok = true;
for (const section of sections) {
  console.log(`\n== ${section.title} ==`);
  ok = section.run().ok && ok;
}
if (!ok) {
  console.error('\nBenchmark FAILED: fast and naive results disagree (see MISMATCH lines above).');
  process.exitCode = 1;
}
