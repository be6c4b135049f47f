// Reads an email's HTML on stdin and prints doiuse-email's verdict (caniemail data) as JSON:
// {"errors": [...], "notes": [...]} for the clients given as arguments (globs).
// Run by tests/test_email_caniemail.py; the pinned version is in package-lock.json.
import { readFileSync } from "node:fs";
import { doIUseEmail } from "@jsx-email/doiuse-email";

const html = readFileSync(0, "utf8");
const result = doIUseEmail(html, { emailClients: process.argv.slice(2) });
process.stdout.write(JSON.stringify({ errors: result.errors ?? [], notes: result.notes ?? [] }));
