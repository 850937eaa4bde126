/**
 * `--input-format yaml|json|ndjson`: the format of standard input (`-`) and
 * of pipes named on the command line (SPEC §5 "Inputs"). One option object
 * shared by every command that reads a portfolio (evaluate, whatif, and the
 * coming issue and review), so they all say and accept the same thing.
 */
import { Option } from 'commander';
import { INPUT_FORMATS, type InputFormat } from '../read/input-stream.js';

export type { InputFormat };

/** The option, to add with `command.addOption(inputFormatOption())`. */
export function inputFormatOption(): Option {
  return new Option('--input-format <format>',
    'format of standard input (-) and of pipes (<(…), FIFOs); default: a pipe\'s extension, else recognised from the content '
    + '(a first "[" is a JSON array; "{" is NDJSON when the first line is a whole JSON value, else one JSON document; otherwise YAML)')
    .choices([...INPUT_FORMATS]);
}

/** What to say about inputs in a command's argument description. */
export const INPUTS_HELP = 'snapshot files or folders: .yaml/.yml (multi-document), .json (object or array), .ndjson/.jsonl; - reads standard input';
