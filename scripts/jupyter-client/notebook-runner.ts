/**
 * Executes a notebook through a running Jupyter server with `@jupyterlab/services` (the client
 * library JupyterLab itself uses): starts a kernel, runs each code cell, collects outputs the way
 * the notebook UI would (including in-place `update_display_data`), answers `input_request`s.
 */
import { KernelManager, ServerConnection, type KernelMessage } from "@jupyterlab/services";
import WebSocket from "ws";
import { cellSource, type Notebook, type NotebookOutput } from "./notebook-file.js";

/** Options for {@link runNotebook}. */
export interface RunNotebookOptions {
  baseUrl: string;
  token: string;
  /** Kernel spec name (default: the notebook's metadata.kernelspec.name). */
  kernelName?: string;
  /** Answers an `input_request` (hidden when `password`); without it the kernel is told stdin is unavailable. */
  answerInput?: (prompt: string, password: boolean) => Promise<string> | string;
  /** Called with each output as it arrives (e.g. to stream to a terminal). */
  onOutput?: (cellIndex: number, output: NotebookOutput | { output_type: "update_display_data"; data: Record<string, unknown> }) => void;
  /** Called before each code cell runs. */
  onCell?: (cellIndex: number, source: string) => void;
}

/** A cell ended with an error; the executed notebook so far is attached. */
export class NotebookCellError extends Error {
  override name = "NotebookCellError";
  constructor(readonly cellIndex: number, readonly ename: string, readonly evalue: string, readonly notebook: Notebook) {
    super(`cell ${cellIndex + 1} failed: ${ename}: ${evalue}`);
  }
}

/** `@jupyterlab/services` settings for a server at `baseUrl` with token auth, from Node (the `ws` WebSocket). */
export function jupyterServerSettings(baseUrl: string, token: string): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl,
    wsUrl: baseUrl.replace(/^http/, "ws"),
    token,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    appendToken: true,
  });
}

/** Runs every code cell of `notebook` in a fresh kernel; returns a copy with outputs filled in. */
export async function runNotebook(notebook: Notebook, options: RunNotebookOptions): Promise<Notebook> {
  const manager = new KernelManager({ serverSettings: jupyterServerSettings(options.baseUrl, options.token) });
  const kernelName = options.kernelName ?? (notebook.metadata.kernelspec as { name?: string } | undefined)?.name ?? "wbflow";
  const kernel = await manager.startNew({ name: kernelName });
  const executed: Notebook = structuredClone(notebook);
  try {
    for (const [index, cell] of executed.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      const source = cellSource(cell);
      options.onCell?.(index, source);
      const outputs: NotebookOutput[] = [];
      const displayIds = new Map<string, number[]>();
      const future = kernel.requestExecute({ code: source, allow_stdin: options.answerInput !== undefined, stop_on_error: true });
      future.onIOPub = (message) => {
        const output = toOutput(message);
        if (!output) return;
        if (output.output_type === "update_display_data") {
          for (const at of displayIds.get(output.displayId) ?? []) {
            const existing = outputs[at];
            if (existing && existing.output_type === "display_data") existing.data = output.data;
          }
          options.onOutput?.(index, { output_type: "update_display_data", data: output.data });
          return;
        }
        if (output.output_type === "display_data" && output.displayId) {
          displayIds.set(output.displayId, [...(displayIds.get(output.displayId) ?? []), outputs.length]);
        }
        const { displayId: _ignored, ...stored } = output as NotebookOutput & { displayId?: string };
        outputs.push(stored as NotebookOutput);
        options.onOutput?.(index, stored as NotebookOutput);
      };
      future.onStdin = async (message) => {
        if (message.header.msg_type !== "input_request" || !options.answerInput) return;
        const request = message.content as KernelMessage.IInputRequestMsg["content"];
        const value = await options.answerInput(request.prompt, request.password);
        future.sendInputReply({ status: "ok", value }, message.header as KernelMessage.IInputReplyMsg["parent_header"]);
      };
      const reply = await future.done;
      cell.outputs = mergeStreams(outputs);
      cell.execution_count = (reply.content as { execution_count?: number | null }).execution_count ?? null;
      if (reply.content.status === "error") {
        const content = reply.content as { ename?: string; evalue?: string };
        throw new NotebookCellError(index, content.ename ?? "Error", content.evalue ?? "", executed);
      }
    }
    return executed;
  } finally {
    await kernel.shutdown().catch(() => undefined);
    kernel.dispose();
    manager.dispose();
  }
}

type CollectedOutput =
  | (NotebookOutput & { displayId?: string })
  | { output_type: "update_display_data"; data: Record<string, unknown>; displayId: string };

function toOutput(message: KernelMessage.IIOPubMessage): CollectedOutput | undefined {
  const content = message.content as Record<string, unknown>;
  const transient = content.transient as { display_id?: string } | undefined;
  switch (message.header.msg_type) {
    case "stream":
      return { output_type: "stream", name: String(content.name), text: String(content.text) };
    case "display_data":
      return {
        output_type: "display_data",
        data: content.data as Record<string, unknown>,
        metadata: (content.metadata ?? {}) as Record<string, unknown>,
        ...(transient?.display_id ? { displayId: transient.display_id } : {}),
      };
    case "update_display_data":
      return transient?.display_id
        ? { output_type: "update_display_data", data: content.data as Record<string, unknown>, displayId: transient.display_id }
        : undefined;
    case "execute_result":
      return {
        output_type: "execute_result",
        data: content.data as Record<string, unknown>,
        metadata: (content.metadata ?? {}) as Record<string, unknown>,
        execution_count: (content.execution_count as number | null) ?? null,
      };
    case "error":
      return { output_type: "error", ename: String(content.ename), evalue: String(content.evalue), traceback: content.traceback as string[] };
    default:
      return undefined;
  }
}

/** Consecutive stream outputs of the same name become one, as the notebook UI shows them. */
function mergeStreams(outputs: NotebookOutput[]): NotebookOutput[] {
  const merged: NotebookOutput[] = [];
  for (const output of outputs) {
    const last = merged.at(-1);
    if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
      last.text += output.text;
    } else {
      merged.push({ ...output });
    }
  }
  return merged;
}
