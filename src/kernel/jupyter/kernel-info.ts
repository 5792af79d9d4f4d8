/** The `kernel_info_reply` content: who we are, which language, which versions. */
import { createRequire } from "node:module";
import { tslabTypeScript } from "../cells/tslab-internals.js";

/** The `kernel_info_reply` content. */
export interface KernelInfo {
  protocol_version: string;
  implementation: string;
  implementation_version: string;
  language_info: {
    name: string;
    version: string;
    mimetype: string;
    file_extension: string;
    codemirror_mode: { name: string; mode: string; typescript: boolean };
  };
  banner: string;
}

/** Describes this kernel: TypeScript (tslab's compiler) run by wbflow. */
export function kernelInfo(): KernelInfo {
  const { version } = createRequire(import.meta.url)("../../../package.json") as { version: string };
  return {
    protocol_version: "5.3",
    implementation: "wbflow",
    implementation_version: version,
    language_info: {
      name: "typescript",
      version: tslabTypeScript.version,
      mimetype: "text/typescript",
      file_extension: ".ts",
      // The same hint tslab gives so classic Notebook and JupyterLab highlight TypeScript.
      codemirror_mode: { name: "javascript", mode: "typescript", typescript: true },
    },
    banner: `wbflow ${version}: TypeScript with %wandb and %flow magics (tslab underneath)`,
  };
}
