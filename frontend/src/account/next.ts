/** A relative path on this site to come back to; anything else (another site, `//host`, `/\host`) is ignored. */
export function safeNext(value: string | null | undefined, locale: string): string {
  return value && value.startsWith("/") && !value.startsWith("//") && !/[\\\s]/.test(value) ? value : `/${locale}/`;
}
