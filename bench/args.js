// Command-line options of the bench scripts, read with node's own
// util.parseArgs: whole-number options are checked against their minimum, an
// unknown option or a bad value prints the usage and exits 2, -h/--help
// prints it and exits 0.
import { parseArgs } from 'node:util';

/**
 * @param {string[]} argv the arguments after the script's name
 * @param {{ name: string, usage: string, ints?: Record<string, number>, strings?: Record<string, string[] | RegExp>, flags?: string[] }} spec
 *   ints: option → minimum; strings: option → allowed values or a pattern; flags: boolean options
 * @returns {Record<string, number | string | boolean | undefined>} only the options given
 */
export function readOptions(argv, spec) {
  const options = { help: { type: 'boolean', short: 'h' } };
  for (const k of Object.keys(spec.ints ?? {})) options[k] = { type: 'string' };
  for (const k of Object.keys(spec.strings ?? {})) options[k] = { type: 'string' };
  for (const k of spec.flags ?? []) options[k] = { type: 'boolean' };
  const fail = (problem) => {
    process.stderr.write(`${spec.name}: ${problem}\n${spec.usage}\n`);
    process.exit(2);
  };
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (err) {
    fail(err.message);
  }
  if (values.help) {
    process.stdout.write(`${spec.usage}\n`);
    process.exit(0);
  }
  const out = {};
  for (const [k, v] of Object.entries(values)) {
    if (k === 'help') continue;
    const min = spec.ints?.[k];
    const allowed = spec.strings?.[k];
    if (min !== undefined) {
      if (!/^\d+$/.test(v) || Number(v) < min) fail(`--${k} needs a whole number ≥ ${min}`);
      out[k] = Number(v);
    } else if (allowed !== undefined) {
      const ok = Array.isArray(allowed) ? allowed.includes(v) : allowed.test(v);
      if (!ok) fail(`--${k} is ${Array.isArray(allowed) ? allowed.join(', ') : `not of the form ${allowed}`}`);
      out[k] = v;
    } else out[k] = v;
  }
  return out;
}
