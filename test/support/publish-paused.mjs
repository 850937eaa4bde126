// A publish that stops for good at write step N (argv: rulesDir id N), so a
// test can kill it there with SIGKILL: prints "paused at step N: <call>" first.
import { publishVersion } from '../../dist/publish/publish.js';
import { nodeWriter } from '../../dist/folder/fs-writer.js';

const [dir, id, stopAt] = process.argv.slice(2);
let step = 0;
const writer = Object.fromEntries(Object.keys(nodeWriter).map((name) => [name, (...args) => {
  step += 1;
  if (step === Number(stopAt)) {
    process.stdout.write(`paused at step ${step}: ${name}\n`); // synchronous on a pipe
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // until killed
  }
  return nodeWriter[name](...args);
}]));
publishVersion(id, { rulesDir: dir, approvedBy: 'Killed Run', writer, now: () => new Date('2027-01-02T09:30:00Z') });
process.stdout.write('finished\n');
