/**
 * The ZeroMQ side of the kernel: tslab's server (sockets, signing, heartbeat, shell and control
 * routing) with execution replaced by ours, so a cell can send `execute_result` and `error`
 * messages with full MIME bundles and ask questions on the stdin channel (`input_request`).
 */
import { writeSync } from "node:fs";
import type { MimeBundle } from "../../display/mime-bundle.js";
import { PromptInterruptedError, StdinUnavailableError, type CellOutput, type DisplayOptions, type PromptRequest } from "../cells/cell-output.js";
import type { CellExecutor, ExecuteRequest } from "../cells/cell-executor.js";
import { tslabJupyter } from "../cells/tslab-internals.js";
import { decodeWireMessage } from "./wire-message.js";
import { interruptActiveRuns } from "../../flow/runtime/active-runs.js";
import type { KernelInfo } from "./kernel-info.js";

type ZmqServer = InstanceType<typeof tslabJupyter.ZmqServer>;
type ShellMessage = Parameters<ZmqServer["handleExecute"]>[1];

/** Adapts our CellExecutor to the handler interface tslab's server calls. */
function handlerFor(cells: CellExecutor, info: KernelInfo): ConstructorParameters<typeof tslabJupyter.ZmqServer>[0] {
  return {
    handleKernel: () => info as never,
    handleExecute: () => Promise.reject(new Error("execute requests are handled by KernelServer")),
    handleIsComplete: (req) => cells.isComplete(req.code),
    handleInspect: (req) => cells.inspect(req.code, req.cursor_pos),
    handleComplete: (req) => cells.complete(req.code, req.cursor_pos),
    handleShutdown: (req) => ({ restart: req.restart }),
    close: () => cells.close(),
  };
}

interface PendingPrompt {
  resolve(value: string): void;
  reject(error: Error): void;
}

/** tslab's ZeroMQ server, executing cells through a {@link CellExecutor}. */
export class KernelServer extends tslabJupyter.ZmqServer {
  private pendingPrompt: PendingPrompt | undefined;
  private iopubSender: BusyRetryingSender | undefined;
  private readonly replySenders = new WeakMap<object, BusyRetryingSender>();
  private markClosed: () => void = () => {};
  /** Settles when the kernel has shut down (shutdown_request) and released its sockets. */
  readonly closed = new Promise<void>((resolve) => {
    this.markClosed = resolve;
  });

  constructor(private readonly cells: CellExecutor, info: KernelInfo, configPath: string) {
    super(handlerFor(cells, info), configPath);
  }

  /** Binds the sockets, then starts reading the stdin channel for `input_reply` messages. */
  override async init(): Promise<void> {
    await super.init();
    this.iopubSender = new BusyRetryingSender(this.iopub);
    void this.readStdin();
  }

  override async handleExecute(sock: unknown, msg: ShellMessage): Promise<void> {
    const request = msg.content as ExecuteRequest;
    const output = new WireCellOutput(this, msg, request.allow_stdin === true);
    const content = await this.cells.execute(request, output);
    output.flush();
    const reply = msg.createReply();
    reply.header.msg_type = "execute_reply";
    reply.content = content;
    reply.signAndSend(this.connInfo.key, this.replySender(sock as { send(message: unknown): Promise<void> }));
  }

  /** Busy/idle status on IOPub, through the retrying sender (tslab's own would drop it on EBUSY). */
  override publishStatus(status: string, parent: ShellMessage): void {
    this.publish(parent, "status", { execution_state: status });
  }

  /** Sends `msg_type` on IOPub, as a child of `parent`. */
  publish(parent: ShellMessage, msgType: string, content: object): void {
    const message = parent.createReply();
    message.header.msg_type = msgType;
    message.content = content;
    message.signAndSend(this.connInfo.key, this.iopubSender ?? this.iopub);
  }

  private replySender(socket: { send(message: unknown): Promise<void> }): BusyRetryingSender {
    let sender = this.replySenders.get(socket);
    if (!sender) {
      sender = new BusyRetryingSender(socket);
      this.replySenders.set(socket, sender);
    }
    return sender;
  }

  /** Sends an `input_request` to the client that sent `parent` and waits for its `input_reply`. */
  prompt(parent: ShellMessage, request: PromptRequest): Promise<string> {
    this.pendingPrompt?.reject(new PromptInterruptedError());
    return new Promise<string>((resolve, reject) => {
      this.pendingPrompt = { resolve, reject };
      const message = parent.createReply();
      message.header.msg_type = "input_request";
      message.content = { prompt: request.prompt, password: request.password };
      message.signAndSend(this.connInfo.key, this.stdin);
    });
  }

  override close(): void {
    super.close();
    // Runs still going (one started without await) end now, so no worker process outlives the kernel.
    void interruptActiveRuns(new Error("The kernel shut down."));
    this.markClosed();
  }

  /** Called on SIGINT: interrupts the running cell and any question waiting for an answer. */
  interrupt(): void {
    this.cells.interrupt();
    const pending = this.pendingPrompt;
    this.pendingPrompt = undefined;
    pending?.reject(new PromptInterruptedError());
  }

  private async readStdin(): Promise<void> {
    // Iteration ends when the socket is closed at shutdown.
    for await (const frames of this.stdin) {
      let message;
      try {
        message = decodeWireMessage(this.connInfo.key, frames);
      } catch (error) {
        process.stderr.write(`wbflow kernel: ${(error as Error).message}\n`);
        continue;
      }
      if (message.header.msg_type !== "input_reply") continue;
      const pending = this.pendingPrompt;
      this.pendingPrompt = undefined;
      pending?.resolve(String(message.content.value ?? ""));
    }
  }
}

/**
 * zeromq 6 allows one send in flight per socket and throws EBUSY (synchronously) for a second one;
 * tslab sends without waiting, so under load a status or reply message could be lost and the client
 * would wait forever. Messages given to a BusyRetryingSender go out at once, exactly as tslab sends
 * them; one refused with EBUSY is sent again once the send in flight has gone, and while any is
 * waiting, later ones queue behind it so the order is kept. (The socket object itself is left
 * untouched: patching zeromq's sockets broke their receive loops.)
 */
class BusyRetryingSender {
  private last: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly socket: { send(message: unknown): Promise<void> }) {}

  send(message: unknown): Promise<void> {
    if (this.waiting === 0) {
      try {
        this.last = this.socket.send(message);
        this.last.catch(reportSendFailure);
        return this.last;
      } catch (error) {
        if ((error as { code?: string }).code !== "EBUSY") throw error;
      }
    }
    this.waiting++;
    this.last = this.last
      .catch(() => undefined)
      .then(() => this.socket.send(message))
      .catch(reportSendFailure)
      .finally(() => {
        this.waiting--;
      });
    return this.last;
  }
}

function reportSendFailure(error: unknown): void {
  // Straight to file descriptor 2: process.stderr is routed to IOPub, which may be what failed.
  writeSync(2, `wbflow kernel: a Jupyter message could not be sent: ${(error as Error).message}\n`);
}

/** The most stream text held back before it is sent anyway. */
const MAX_BUFFERED_STREAM = 1 << 20;

/**
 * A cell's outputs as IOPub messages, parented to its `execute_request`. Stream text written in one
 * tick is sent as one message (as ipykernel batches its output): a loop printing thousands of lines
 * would otherwise exceed Jupyter's IOPub rate limit and the server would drop outputs.
 */
class WireCellOutput implements CellOutput {
  private buffered: { name: "stdout" | "stderr"; text: string } | undefined;

  constructor(
    private readonly server: KernelServer,
    private readonly request: ShellMessage,
    private readonly allowStdin: boolean,
  ) {}

  stream(name: "stdout" | "stderr", text: string): void {
    if (this.buffered && this.buffered.name !== name) this.flush();
    if (this.buffered) {
      this.buffered.text += text;
    } else {
      this.buffered = { name, text };
      setImmediate(() => this.flush());
    }
    if (this.buffered.text.length > MAX_BUFFERED_STREAM) this.flush();
  }

  /** Sends the buffered stream text now (before any other output, and before the reply). */
  flush(): void {
    const buffered = this.buffered;
    this.buffered = undefined;
    if (buffered) this.server.publish(this.request, "stream", buffered);
  }

  display(bundle: MimeBundle, options: DisplayOptions = {}): void {
    this.flush();
    const transient = options.displayId === undefined ? {} : { display_id: options.displayId };
    this.server.publish(this.request, options.update ? "update_display_data" : "display_data", {
      data: bundle,
      metadata: {},
      transient,
    });
  }

  result(bundle: MimeBundle, executionCount: number): void {
    this.flush();
    this.server.publish(this.request, "execute_result", { data: bundle, metadata: {}, execution_count: executionCount });
  }

  error(ename: string, evalue: string, traceback: string[]): void {
    this.flush();
    this.server.publish(this.request, "error", { ename, evalue, traceback });
  }

  prompt(request: PromptRequest): Promise<string> {
    this.flush();
    if (!this.allowStdin) return Promise.reject(new StdinUnavailableError(`The question "${request.prompt.trim()}"`));
    return this.server.prompt(this.request, request);
  }
}
