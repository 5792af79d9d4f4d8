import { InvalidPathspecError } from "./errors.js";

const shapes = {
  Flow: "FlowName",
  Run: "FlowName/RunId",
  Step: "FlowName/RunId/StepName",
  Task: "FlowName/RunId/StepName/TaskId",
  DataArtifact: "FlowName/RunId/StepName/TaskId/ArtifactName",
} as const;

/** The client object kinds, by how many pathspec parts they take. */
export type ClientKind = keyof typeof shapes;

/** Splits a pathspec and checks it has exactly the parts `kind` needs. */
export function parsePathspec(kind: ClientKind, pathspec: string): string[] {
  const expected = shapes[kind];
  const parts = typeof pathspec === "string" ? pathspec.split("/") : [];
  if (parts.length !== expected.split("/").length || parts.some((part) => part.length === 0)) {
    throw new InvalidPathspecError(kind, expected, String(pathspec));
  }
  return parts;
}
