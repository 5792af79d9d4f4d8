/**
 * Splits a notebook cell into TypeScript code and IPython-style magics, before compilation.
 *
 * Rules (chosen so that no valid TypeScript ever changes meaning):
 * - `%%name args` on the first line makes the whole cell a cell magic; the rest is its body.
 * - `%name args` on its own line is a line magic when it sits where no TypeScript statement could
 *   continue: at the start of the cell (after blank lines or comments), after another magic line,
 *   or after a top-level `;`. Also anywhere at the top level when its first argument is a plain word
 *   (`%flow run X` below a class declaration): `x % flow run` is never valid TypeScript, as two
 *   identifiers cannot follow each other (the operator words `in`, `as`... excepted).
 *   Anywhere else — `a\n% b` (modulo across lines), inside strings, template literals, comments,
 *   regular expressions, brackets — it is TypeScript.
 * Line numbers are kept: each code segment knows the line it starts on.
 */
import { tslabTypeScript as ts } from "./tslab-internals.js";

/** A run of TypeScript source, handed to tslab unchanged. */
export interface CodeSegment {
  kind: "code";
  /** The exact source text of this run. */
  source: string;
  /** Zero-based line of the cell on which `source` starts. */
  startLine: number;
}

/** One `%name args` line. */
export interface LineMagicSegment {
  kind: "line-magic";
  name: string;
  /** Everything after the name, untrimmed of quotes; parsed later by the magic's argument spec. */
  args: string;
  /** Zero-based line of the cell. */
  line: number;
}

/** A `%%name args` cell: the magic receives the rest of the cell as its body. */
export interface CellMagicSegment {
  kind: "cell-magic";
  name: string;
  args: string;
  body: string;
}

export type CellSegment = CodeSegment | LineMagicSegment | CellMagicSegment;

const MAGIC_LINE = /^[ \t]*%(%?)([A-Za-z_][\w-]*\??)(?:[ \t]+(.*))?[ \t]*$/;

/** Splits `cell` into segments, in order. A cell without magics is one code segment (or none). */
export function splitCell(cell: string): CellSegment[] {
  // Most cells have no % at all: skip lexing them.
  if (!cell.includes("%")) return cell.trim() === "" ? [] : [{ kind: "code", source: cell, startLine: 0 }];
  const firstLineEnd = cell.indexOf("\n");
  const firstLine = firstLineEnd === -1 ? cell : cell.slice(0, firstLineEnd);
  const cellMagic = /^[ \t]*%%([A-Za-z_][\w-]*\??)(?:[ \t]+(.*?))?[ \t]*\r?$/.exec(firstLine);
  if (cellMagic) {
    return [
      {
        kind: "cell-magic",
        name: cellMagic[1]!,
        args: cellMagic[2] ?? "",
        body: firstLineEnd === -1 ? "" : cell.slice(firstLineEnd + 1),
      },
    ];
  }
  const segments: CellSegment[] = [];
  const lineStarts = lineStartOffsets(cell);
  let codeStart = 0;
  let codeStartLine = 0;
  for (const { start, end, line } of magicLineCandidates(cell, lineStarts)) {
    const match = MAGIC_LINE.exec(cell.slice(start, end).replace(/\r$/, ""));
    if (!match || match[1] === "%") continue;
    pushCode(segments, cell.slice(codeStart, start), codeStartLine);
    segments.push({ kind: "line-magic", name: match[2]!, args: (match[3] ?? "").trim(), line });
    codeStart = end === cell.length ? end : end + 1;
    codeStartLine = line + 1;
  }
  pushCode(segments, cell.slice(codeStart), codeStartLine);
  return segments;
}

function pushCode(segments: CellSegment[], source: string, startLine: number): void {
  if (source.trim() !== "") segments.push({ kind: "code", source, startLine });
}

function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return starts;
}

interface LineSpan {
  start: number;
  end: number;
  line: number;
}

/**
 * Lines that begin with a `%` token in a position where a TypeScript statement cannot continue.
 * Lexes with the TypeScript scanner, tracking template literals, regular expressions and bracket
 * depth, so a `%` in any string, comment or expression is never a candidate.
 */
function* magicLineCandidates(cell: string, lineStarts: number[]): Generator<LineSpan> {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, cell);
  let depth = 0;
  const templateDepths: number[] = [];
  // Whether the previous significant token leaves us at a statement boundary.
  let atBoundary = true;
  let previous: import("@tslab/typescript-for-tslab").SyntaxKind | undefined;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    const tokenStart = scanner.getTokenPos();
    if (isTrivia(kind)) continue;
    if (
      (kind === ts.SyntaxKind.PercentToken || kind === ts.SyntaxKind.PercentEqualsToken) &&
      depth === 0 &&
      templateDepths.length === 0 &&
      startsLine(cell, tokenStart) &&
      (atBoundary || cannotContinueExpression(lineAt(cell, lineStarts, tokenStart)))
    ) {
      const line = lineOf(lineStarts, tokenStart);
      const end = lineStarts[line + 1] === undefined ? cell.length : lineStarts[line + 1]! - 1;
      yield { start: lineStarts[line]!, end, line };
      // Continue lexing after the magic line; the next line is again a statement boundary.
      scanner.setTextPos(end);
      atBoundary = true;
      previous = undefined;
      continue;
    }
    if (kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) {
      if (regexAllowedAfter(previous)) kind = scanner.reScanSlashToken();
    }
    if (kind === ts.SyntaxKind.TemplateHead) templateDepths.push(depth);
    if (kind === ts.SyntaxKind.CloseBraceToken && templateDepths.at(-1) === depth) {
      kind = scanner.reScanTemplateToken(false);
      if (kind === ts.SyntaxKind.TemplateTail) templateDepths.pop();
    } else if (isOpenBracket(kind)) {
      depth++;
    } else if (isCloseBracket(kind)) {
      depth = Math.max(0, depth - 1);
    }
    atBoundary = kind === ts.SyntaxKind.SemicolonToken && depth === 0 && templateDepths.length === 0;
    previous = kind;
  }
}

/** Words that may follow an operand in an expression: `x % b in y` and `x % b as T` are TypeScript. */
const OPERATOR_WORDS = new Set(["in", "instanceof", "as", "satisfies", "of", "is", "extends", "keyof"]);

/**
 * Whether the line `%name word ...` could not be the rest of an expression (`x % name word`): its
 * name is followed on the same line by a word that is neither punctuation nor an operator word.
 */
function cannotContinueExpression(line: string): boolean {
  const match = /^[ \t]*%[A-Za-z_][\w-]*[ \t]+([A-Za-z_$][\w$]*)/.exec(line);
  return match !== null && !OPERATOR_WORDS.has(match[1]!);
}

/** The text of the line holding `offset`. */
function lineAt(cell: string, lineStarts: number[], offset: number): string {
  const line = lineOf(lineStarts, offset);
  const end = lineStarts[line + 1] === undefined ? cell.length : lineStarts[line + 1]! - 1;
  return cell.slice(lineStarts[line]!, end);
}

function isTrivia(kind: number): boolean {
  return (
    kind === ts.SyntaxKind.WhitespaceTrivia ||
    kind === ts.SyntaxKind.NewLineTrivia ||
    kind === ts.SyntaxKind.SingleLineCommentTrivia ||
    kind === ts.SyntaxKind.MultiLineCommentTrivia ||
    kind === ts.SyntaxKind.ShebangTrivia ||
    kind === ts.SyntaxKind.ConflictMarkerTrivia
  );
}

function isOpenBracket(kind: number): boolean {
  return (
    kind === ts.SyntaxKind.OpenBraceToken ||
    kind === ts.SyntaxKind.OpenParenToken ||
    kind === ts.SyntaxKind.OpenBracketToken
  );
}

function isCloseBracket(kind: number): boolean {
  return (
    kind === ts.SyntaxKind.CloseBraceToken ||
    kind === ts.SyntaxKind.CloseParenToken ||
    kind === ts.SyntaxKind.CloseBracketToken
  );
}

/** After these tokens a `/` starts an expression, so it is a regular expression, not division. */
function regexAllowedAfter(previous: number | undefined): boolean {
  if (previous === undefined) return true;
  if (
    previous === ts.SyntaxKind.Identifier ||
    previous === ts.SyntaxKind.PrivateIdentifier ||
    previous === ts.SyntaxKind.NumericLiteral ||
    previous === ts.SyntaxKind.BigIntLiteral ||
    previous === ts.SyntaxKind.StringLiteral ||
    previous === ts.SyntaxKind.RegularExpressionLiteral ||
    previous === ts.SyntaxKind.NoSubstitutionTemplateLiteral ||
    previous === ts.SyntaxKind.TemplateTail ||
    previous === ts.SyntaxKind.CloseParenToken ||
    previous === ts.SyntaxKind.CloseBracketToken ||
    previous === ts.SyntaxKind.CloseBraceToken ||
    previous === ts.SyntaxKind.PlusPlusToken ||
    previous === ts.SyntaxKind.MinusMinusToken ||
    previous === ts.SyntaxKind.ThisKeyword ||
    previous === ts.SyntaxKind.SuperKeyword ||
    previous === ts.SyntaxKind.TrueKeyword ||
    previous === ts.SyntaxKind.FalseKeyword ||
    previous === ts.SyntaxKind.NullKeyword
  ) {
    return false;
  }
  // Other keywords (return, typeof, in, ...) and all punctuators expect an operand.
  return true;
}

function startsLine(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === "\n") return true;
    if (ch !== " " && ch !== "\t") return false;
  }
  return true;
}

function lineOf(lineStarts: number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The cell with every magic line blanked (same length and lines), for completion and inspection. */
export function blankMagicLines(cell: string): string {
  const segments = splitCell(cell);
  if (segments[0]?.kind === "cell-magic") return cell.replace(/[^\n]/g, " ");
  const lines = cell.split("\n");
  for (const segment of segments) {
    if (segment.kind === "line-magic") lines[segment.line] = " ".repeat(lines[segment.line]!.length);
  }
  return lines.join("\n");
}
