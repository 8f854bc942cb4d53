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

/** The code in the newest e-mail to `address` once there are more than `seen` of them. */
export async function waitForCode(address: string, seen: number): Promise<{ code: string; count: number }> {
  for (let attempt = 0; attempt < 180; attempt++) {
    const texts = await messagesTo(address);
    if (texts.length > seen) {
      const text = texts[texts.length - 1];
      // allauth's codes look like TMJX-LFJD, alone on their line of the plain-text part.
      const match = text.match(/^\s*([A-Z0-9]{4}-[A-Z0-9]{4}|[A-Z0-9]{6,8})\s*$/m);
      if (!match) throw new Error(`No code in the e-mail:\n${text}`);
      return { code: match[1], count: texts.length };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`No new e-mail to ${address}.`);
}
