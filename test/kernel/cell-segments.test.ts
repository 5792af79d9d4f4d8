import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { blankMagicLines, splitCell } from "../../src/kernel/cells/cell-segments.js";

/** Syntax errors TypeScript reports for `source` (empty for valid TypeScript). */
function syntaxErrors(source: string): string[] {
  const out = ts.transpileModule(source, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  return (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

const identifier = fc.constantFrom("a", "b", "total", "rate", "lsmagic", "wandb", "flow");
const word = fc.stringMatching(/^[A-Za-z0-9_.\/-]{1,8}$/);
/** A line that would be a magic if it stood alone: `%name args`. */
const magicLike = fc.tuple(identifier, fc.array(word, { maxLength: 3 })).map(([name, args]) => `%${name}${args.map((a) => " " + a).join("")}`);

/** TypeScript statements that put `%` (and magic-looking lines) everywhere a lexer could trip. */
const statement = fc.oneof(
  fc.tuple(identifier, fc.integer({ min: 1, max: 99 })).map(([v, n]) => `var ${v} = ${n} % 7;`),
  fc.tuple(identifier, fc.integer({ min: 1, max: 99 })).map(([v, n]) => `var ${v} = ${n}\n  % 5`),
  fc.tuple(identifier, magicLike).map(([v, m]) => `var ${v} = \`before\n${m}\nafter \${1 % 2} ${"${`"}\n${m}\n${"`}"}\`;`),
  fc.tuple(identifier, magicLike).map(([v, m]) => `var ${v} = "${m} 100%";`),
  magicLike.map((m) => `/* a comment\n${m}\n*/`),
  magicLike.map((m) => `// ${m}`),
  fc.tuple(identifier, word).map(([v, w]) => `var ${v} = /%${w.replace(/[\/.\\]/g, "")}\\//g.test("x");`),
  fc.tuple(identifier, fc.integer({ min: 1, max: 9 })).map(([v, n]) => `var ${v} = 10;\n${v} %= ${n};`),
  fc.tuple(identifier, magicLike).map(([v, m]) => `function f_${v}() {\n  return 9\n    % 4;\n}\nvar ${v} = { k: "${m}" }`),
  fc.tuple(identifier, fc.integer({ min: 2, max: 9 })).map(([v, n]) => `var ${v} = [1,\n%${n}\n].length`.replace(`%${n}`, `${n} %\n${n}`)),
);

const program = fc.array(statement, { minLength: 1, maxLength: 6 }).map((parts) => parts.join("\n"));

describe("splitCell", () => {
  it("generated programs are valid TypeScript (so the properties below mean something)", () => {
    fc.assert(
      fc.property(program, (source) => {
        expect(syntaxErrors(source)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("never takes a % inside TypeScript for a magic: arbitrary programs come back unchanged", () => {
    fc.assert(
      fc.property(program, (source) => {
        expect(splitCell(source)).toEqual([{ kind: "code", source, startLine: 0 }]);
      }),
      { numRuns: 500 },
    );
  });

  it("finds magic lines at the top of a cell and after a top-level `;`, keeping the code and its lines", () => {
    fc.assert(
      fc.property(program, program, identifier, fc.array(word, { maxLength: 3 }), (before, after, name, args) => {
        const magic = `%${name}${args.map((a) => " " + a).join("")}`;
        const head = `${before}\n;`;
        const cell = `${magic}\n${head}\n${magic}\n${after}`;
        const headLines = head.split("\n").length;
        expect(splitCell(cell)).toEqual([
          { kind: "line-magic", name, args: args.join(" "), line: 0 },
          { kind: "code", source: `${head}\n`, startLine: 1 },
          { kind: "line-magic", name, args: args.join(" "), line: 1 + headLines },
          { kind: "code", source: after, startLine: 2 + headLines },
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it("reads %%name as a cell magic only on the first line", () => {
    expect(splitCell("%%flow run Demo --alpha 0.1\nbody line\n%not-a-magic")).toEqual([
      { kind: "cell-magic", name: "flow", args: "run Demo --alpha 0.1", body: "body line\n%not-a-magic" },
    ]);
  });

  it("keeps help suffixes, comments before magics and indentation", () => {
    expect(splitCell("// set up\n  %wandb? \nconst x = 1")).toEqual([
      { kind: "code", source: "// set up\n", startLine: 0 },
      { kind: "line-magic", name: "wandb?", args: "", line: 1 },
      { kind: "code", source: "const x = 1", startLine: 2 },
    ]);
  });

  it("leaves `%` continuations after an expression as TypeScript", () => {
    expect(splitCell("const x = 10\n%3")).toEqual([{ kind: "code", source: "const x = 10\n%3", startLine: 0 }]);
    expect(splitCell("if (x) {\n%wandb status\n}")).toHaveLength(1);
  });

  it("blanks magic lines for the language service without moving anything", () => {
    const cell = "%wandb status\nconst a = 1;\n%flow show X\na";
    const blanked = blankMagicLines(cell);
    expect(blanked).toHaveLength(cell.length);
    expect(blanked.split("\n")).toEqual(["             ", "const a = 1;", "            ", "a"]);
  });
});

describe("splitCell: a magic below a declaration", () => {
  it("takes `%flow run X` right after a class or function declaration as a magic (it could not be TypeScript)", () => {
    const cell = 'class Boom extends FlowSpec {\n  @step start() { this.next(this.end); }\n}\n%flow run Boom --alpha 0.1\nfunction f() {}\n%wandb status';
    expect(splitCell(cell)).toEqual([
      { kind: "code", source: "class Boom extends FlowSpec {\n  @step start() { this.next(this.end); }\n}\n", startLine: 0 },
      { kind: "line-magic", name: "flow", args: "run Boom --alpha 0.1", line: 3 },
      { kind: "code", source: "function f() {}\n", startLine: 4 },
      { kind: "line-magic", name: "wandb", args: "status", line: 5 },
    ]);
  });

  it("what it takes for a magic there would not compile as TypeScript", () => {
    const plainWord = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,7}$/).filter((w) => !["in", "instanceof", "as", "satisfies", "of", "is", "extends", "keyof"].includes(w));
    fc.assert(
      fc.property(program, identifier, plainWord, fc.array(word, { maxLength: 2 }), (before, name, first, more) => {
        const cell = `${before}\n%${name} ${[first, ...more].join(" ")}`;
        expect(splitCell(cell).some((segment) => segment.kind === "line-magic")).toBe(true);
        expect(syntaxErrors(cell)).not.toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps valid TypeScript whose line starts with % as TypeScript", () => {
    for (const source of ["const x = a\n%b in c", "const x = a\n%b as number", "const y = a\n%b instanceof C", "const z = a\n%b", "const w = a\n%b + c", "if (x) {\n%wandb status\n}"]) {
      expect(splitCell(source)).toEqual([{ kind: "code", source, startLine: 0 }]);
    }
    // (and they really are TypeScript)
    expect(syntaxErrors("const x = a\n%b in c;\nconst y = a\n%b as number;\nconst z = a\n%b instanceof C")).toEqual([]);
  });
});
