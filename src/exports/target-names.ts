/** The export targets' names (for the command line, without loading the targets). */
export const TARGET_NAMES = Object.freeze(['stripe', 'killbill', 'xero', 'quickbooks'] as const);
