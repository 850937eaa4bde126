/**
 * The export targets, one row each (adding a target is a file and a row,
 * like ajv's formats).
 */
import { killbill } from './killbill.js';
import { quickbooks } from './quickbooks.js';
import { stripe } from './stripe.js';
import type { ExportTarget, TargetName } from './types.js';
import { xero } from './xero.js';

export const TARGETS: Readonly<Record<TargetName, ExportTarget>> = Object.freeze({ stripe, killbill, xero, quickbooks });

export { TARGET_NAMES } from './target-names.js';
