// tr46 ships no types; only the function we call is declared.
declare module 'tr46' {
  interface ToASCIIOptions {
    checkBidi?: boolean;
    checkHyphens?: boolean;
    checkJoiners?: boolean;
    ignoreInvalidPunycode?: boolean;
    transitionalProcessing?: boolean;
    useSTD3ASCIIRules?: boolean;
    verifyDNSLength?: boolean;
  }
  /** The ASCII form of a domain name, or null when UTS #46 processing fails. */
  export function toASCII(domainName: string, options?: ToASCIIOptions): string | null;
  const tr46: { toASCII: typeof toASCII };
  export default tr46;
}
