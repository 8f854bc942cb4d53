// Reads the messages aiosmtpd's Mailbox handler stores (a Maildir) to find the codes the CMS sends.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";

const MAILDIR = process.env.E2E_MAILDIR ?? "/tmp/fe-mail/box";

async function messagesTo(address: string): Promise<string[]> {
  const files: { path: string; time: number }[] = [];
  for (const folder of ["new", "cur"]) {
    let names: string[] = [];
    try {
      names = readdirSync(join(MAILDIR, folder));
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(MAILDIR, folder, name);
      files.push({ path, time: statSync(path).mtimeMs });
    }
  }
  files.sort((a, b) => a.time - b.time);
  const texts: string[] = [];
  for (const file of files) {
    const mail = await simpleParser(readFileSync(file.path));
    const to = Array.isArray(mail.to) ? mail.to.map((item) => item.text).join(",") : (mail.to?.text ?? "");
    if (to.toLowerCase().includes(address.toLowerCase())) texts.push(`${mail.subject ?? ""}\n${mail.text ?? ""}`);
  }
  return texts;
}

// allauth's codes look like TMJX-LFJD, alone on their line of the plain-text part.
const CODE = /^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$/m;

/** The code of the newest code mail to `address` once there are more than `seen` of them (other mails, such as
 * the newsletter welcome, are skipped). */
export async function waitForCode(address: string, seen: number): Promise<{ code: string; count: number }> {
  for (let attempt = 0; attempt < 180; attempt++) {
    const codes = (await messagesTo(address)).flatMap((text) => text.match(CODE)?.[1] ?? []);
    if (codes.length > seen) return { code: codes[codes.length - 1], count: codes.length };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`No new code mail to ${address}.`);
}
