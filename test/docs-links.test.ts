/**
 * The README and every page of docs/ link only to files that exist, and `#anchors` name a heading
 * of the page they point at (GitHub's heading ids), so moving a file or renaming a heading cannot
 * leave a dead link behind. External links (http:, mailto:) are not followed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function markdownFiles(): string[] {
  const docs = path.join(root, "docs");
  const pages = existsSync(docs)
    ? readdirSync(docs).filter((name) => name.endsWith(".md")).map((name) => path.join("docs", name))
    : [];
  return ["README.md", ...pages.sort()];
}

/** Text outside fenced code blocks, where a `[x](y)` is code, not a link. */
function proseOf(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
}

/** Link targets of `[text](target)` and `[text](target "title")`, inline code removed first. */
function linkTargets(markdown: string): string[] {
  const prose = proseOf(markdown).replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

/** GitHub's id of a heading: lower case, punctuation dropped, spaces to hyphens, -1, -2... for repeats. */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of proseOf(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = match[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}

describe("documentation links", () => {
  test("the README links every page of docs/", () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    const linked = new Set(linkTargets(readme).map((t) => t.split("#")[0]));
    const unlinked = markdownFiles().filter((f) => f !== "README.md" && !linked.has(f));
    expect(unlinked, "pages of docs/ the README does not link").toEqual([]);
  });

  test.each(markdownFiles())("%s: relative links point at existing files and headings", (file) => {
    const source = path.join(root, file);
    const dead: string[] = [];
    for (const target of linkTargets(readFileSync(source, "utf8"))) {
      if (isExternal(target)) continue;
      const [filePart, anchor] = target.split("#", 2) as [string, string | undefined];
      const resolved = filePart === "" ? source : path.resolve(path.dirname(source), decodeURI(filePart));
      if (!existsSync(resolved)) {
        dead.push(`${target} (no file ${path.relative(root, resolved)})`);
        continue;
      }
      if (anchor !== undefined && anchor !== "" && statSync(resolved).isFile() && resolved.endsWith(".md")) {
        if (!headingIds(readFileSync(resolved, "utf8")).has(anchor)) dead.push(`${target} (no heading #${anchor})`);
      }
    }
    expect(dead, `dead links in ${file}`).toEqual([]);
  });
});
