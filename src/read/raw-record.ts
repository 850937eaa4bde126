/** The text of one portfolio record and where it came from. */
export interface RawRecord {
  /**
   * A label for the record: its 0-based position from `readPortfolio`, its line
   * number inside a worker's NDJSON chunk. Output order never depends on it:
   * records come out in the order they were read.
   */
  seq: number;
  file: string;
  /** 1-based line and column where the record starts */
  line: number;
  column: number;
  text: string;
  format: 'json' | 'yaml';
}
