// Starts the rampart language server (`rampart lsp`) for Terraform, Dockerfiles and
// Kubernetes/Helm YAML, and passes the user's settings to it.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function settings() {
  const cfg = vscode.workspace.getConfiguration("rampart");
  return {
    command: cfg.get<string>("server.path", "rampart"),
    args: cfg.get<string[]>("server.args", ["lsp"]),
    options: {
      profile: cfg.get<string | null>("profile", null),
      severity: cfg.get<string | null>("severity", null),
    },
  };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const { command, args, options } = settings();
  const serverOptions: ServerOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "terraform" },
      { scheme: "file", pattern: "**/*.{tf,tfvars}" },
      { scheme: "file", language: "dockerfile" },
      { scheme: "file", pattern: "**/{Dockerfile,Containerfile}*" },
      { scheme: "file", pattern: "**/*.{dockerfile,Dockerfile}" },
      { scheme: "file", language: "yaml" },
      { scheme: "file", language: "json" },
    ],
    initializationOptions: options,
    synchronize: {
      configurationSection: "rampart",
      fileEvents: vscode.workspace.createFileSystemWatcher("**/.rampart.toml"),
    },
    outputChannelName: "rampart",
  };
  client = new LanguageClient("rampart", "rampart", serverOptions, clientOptions);
  await client.start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("rampart.restart", async () => {
      await client?.stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("rampart.server")) {
        await client?.stop();
        await start(context);
      }
    }),
  );
  try {
    await start(context);
  } catch (err) {
    void vscode.window.showErrorMessage(
      `rampart: could not start \`${settings().command} ${settings().args.join(" ")}\`: ${err}. ` +
        "Install rampart or set rampart.server.path.",
    );
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
