/** Constants of the ledger that the command line needs before SQLite is loaded. */

/** The default ledger file, in the working folder. */
export const DEFAULT_LEDGER = 'ledger.sqlite';
