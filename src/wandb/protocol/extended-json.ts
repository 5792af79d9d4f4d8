/**
 * W&B's "extended JSON": JSON where non-finite numbers are written as bare `NaN`, `Infinity` and
 * `-Infinity` (reference §3.4), as Python's `json` and wandb-core do. Values that JSON cannot hold
 * (functions, symbols, cycles, undefined) are errors naming the offending key path.
 */

/** Raised for a value W&B cannot store; `keyPath` says where it is (e.g. `config.model.fn`). */
export class UnrepresentableValueError extends Error {
  constructor(readonly keyPath: string, problem: string) {
    super(`${keyPath}: ${problem}. W&B stores numbers, strings, booleans, null, arrays and plain objects; convert the value first.`);
    this.name = "UnrepresentableValueError";
  }
}

function encodeNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  return JSON.stringify(value);
}

function encode(value: unknown, keyPath: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case "number":
      return encodeNumber(value);
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "bigint":
      return value.toString();
    case "undefined":
      throw new UnrepresentableValueError(keyPath, "the value is undefined");
    case "function":
      throw new UnrepresentableValueError(keyPath, "the value is a function");
    case "symbol":
      throw new UnrepresentableValueError(keyPath, "the value is a symbol");
  }
  if (value === null) return "null";
  const object = value as object;
  if (ancestors.has(object)) throw new UnrepresentableValueError(keyPath, "the value contains itself (a reference cycle)");
  if (object instanceof Date) return JSON.stringify(object.toISOString());
  if (typeof (object as { toJSON?: unknown }).toJSON === "function") {
    return encode((object as { toJSON(): unknown }).toJSON(), keyPath, ancestors);
  }
  ancestors.add(object);
  try {
    if (Array.isArray(object) || ArrayBuffer.isView(object)) {
      const items = Array.from(object as ArrayLike<unknown>, (item, i) => encode(item, `${keyPath}[${i}]`, ancestors));
      return `[${items.join(",")}]`;
    }
    if (object instanceof Map) {
      return encode(Object.fromEntries(object), keyPath, ancestors);
    }
    const parts: string[] = [];
    for (const [key, item] of Object.entries(object)) {
      if (item === undefined) continue; // as JSON.stringify does for object members
      parts.push(`${JSON.stringify(key)}:${encode(item, `${keyPath}.${key}`, ancestors)}`);
    }
    return `{${parts.join(",")}}`;
  } finally {
    ancestors.delete(object);
  }
}

/** Encodes `value` as extended JSON; `keyPath` names it in errors. */
export function toExtendedJson(value: unknown, keyPath: string): string {
  return encode(value, keyPath, new Set());
}

const NON_FINITE = { NaN: Number.NaN, Infinity: Infinity, "-Infinity": -Infinity } as const;
const MARK = "\u0000wbflow-nonfinite:";

/** Parses extended JSON (bare NaN/Infinity/-Infinity outside strings become the JS numbers). */
export function parseExtendedJson(text: string): unknown {
  let rewritten = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      rewritten += text.slice(start, ++i);
      continue;
    }
    const token = (["-Infinity", "Infinity", "NaN"] as const).find((t) => text.startsWith(t, i));
    if (token) {
      rewritten += JSON.stringify(MARK + token);
      i += token.length;
      continue;
    }
    rewritten += ch;
    i++;
  }
  return JSON.parse(rewritten, (_key, value: unknown) =>
    typeof value === "string" && value.startsWith(MARK) ? NON_FINITE[value.slice(MARK.length) as keyof typeof NON_FINITE] : value,
  );
}
