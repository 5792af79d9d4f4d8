/**
 * Thrown when no registered codec can store a value. The message names the value's type, where in
 * the value the problem sits, and how to fix it (usually: register a codec).
 */
export class UnserializableValueError extends Error {
  override readonly name = "UnserializableValueError";
  /** Human type name of the offending value, e.g. "class LinearModel" or "function". */
  readonly typeName: string;
  /** Path inside the value, e.g. "value.model.weights"; "value" when the value itself is the problem. */
  readonly valuePath: string;

  constructor(typeName: string, valuePath: string, detail?: string) {
    const where = valuePath === "value" ? "" : ` (at ${valuePath})`;
    super(
      `Cannot store a value of type ${typeName}${where}: ${detail ?? "no codec can encode it"}. ` +
        `Store plain data (objects, arrays, Map, Set, Date, typed arrays, bigint), ` +
        `a table, or a FilePath; or call registerCodec({ id, canEncode, typeName, encode, decode }) ` +
        `for this type (registerModelType for models with their own save/load).`,
    );
    this.typeName = typeName;
    this.valuePath = valuePath;
  }
}
