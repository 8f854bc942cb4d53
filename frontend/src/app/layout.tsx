import type { Metadata } from "next";
import { headers } from "next/headers";
import { DEFAULT_LOCALE, isLocale } from "@/lib/i18n";
import "./portal.css";

export const metadata: Metadata = { title: { default: "Media portal", template: "%s · Media portal" } };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const value = (await headers()).get("x-portal-locale") ?? undefined;
  return (
    <html lang={isLocale(value) ? value : DEFAULT_LOCALE}>
      <body>{children}</body>
    </html>
  );
}
