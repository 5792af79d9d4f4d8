/** Checks XML well-formedness with a real parser (Python's expat through xml.dom.minidom). */
import { execFileSync } from "node:child_process";

/** Throws with the parser's message if `xml` is not well-formed; returns the root element's name. */
export function parseXmlRoot(xml: string): string {
  return execFileSync("/usr/bin/python3", ["-c", "import sys, xml.dom.minidom as m; print(m.parseString(sys.stdin.buffer.read()).documentElement.tagName)"], {
    input: xml,
    encoding: "utf8",
  }).trim();
}
