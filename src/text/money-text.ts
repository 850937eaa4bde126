/** Money and percentages as a reader expects them in explanations. */

/** `$4.00` for USD, `EUR 4.00` otherwise. */
export function money(amount: string, currency: string): string {
  return currency === 'USD' ? `$${amount}` : `${currency} ${amount}`;
}

/** `10%`. */
export function pct(p: string | number): string {
  return `${p}%`;
}

/** `1234567.5` → `1,234,567.5` (the digits before the point grouped by three). */
export function grouped(amount: string): string {
  const neg = amount.startsWith('-');
  const [int, frac] = (neg ? amount.slice(1) : amount).split('.');
  const g = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${g}${frac !== undefined ? `.${frac}` : ''}`;
}

/**
 * Money with separators, as every report writes it: `$1,234.50`, `-$3.00`.
 * With `scale`, a plain decimal is first written with that many decimals
 * (`"20000"`, 2 → `$20,000.00`), so `diff` and `review` say one amount one way.
 */
export function amount(s: string, currency: string, scale?: number): string {
  const t = scale === undefined ? s : fixed(s, scale);
  return t.startsWith('-') ? `-${money(grouped(t.slice(1)), currency)}` : money(grouped(t), currency);
}

/** A plain decimal string with at least `scale` decimals (more only when the exact value has them). */
function fixed(s: string, scale: number): string {
  const [int, frac = ''] = s.split('.');
  return scale === 0 && !frac ? int! : `${int}.${frac.padEnd(scale, '0')}`;
}

/** A signed change: `+$1.00`, `-$2.00`, `$0.00`. */
export function signed(s: string, currency: string): string {
  if (/^-?0(\.0*)?$/.test(s)) return amount(s.replace(/^-/, ''), currency);
  return s.startsWith('-') ? amount(s, currency) : `+${amount(s, currency)}`;
}
