import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface ServiceProcess {
  child: ChildProcess;
  output: () => string;
  /** Sends SIGKILL: no shutdown hook runs, as in a crash. */
  kill(): Promise<void>;
  /** Sends SIGTERM and waits for the exit code. */
  stop(): Promise<number | null>;
}

/** The folder with nx.json above this file, whether it runs from the sources or from dist/. */
function findWorkspaceRoot(start: string): string {
  let directory = start;
  while (!existsSync(path.join(directory, 'nx.json'))) {
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error(`no workspace above ${start}`);
    directory = parent;
  }
  return directory;
}

const workspaceRoot = findWorkspaceRoot(__dirname);

/** Starts a built service (`dist/apps/<name>/src/main.js`) as a real process. */
export function startServiceProcess(relativeMain: string, env: NodeJS.ProcessEnv, nodeArgs: readonly string[] = []): ServiceProcess {
  const child = spawn(process.execPath, [...nodeArgs, path.join(workspaceRoot, relativeMain)], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: workspaceRoot });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Waits until a URL answers with the status (a service's readiness, say). */
export async function waitForHttp(url: string, status = 200, timeoutMs = 60_000, process?: ServiceProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.status === status) return;
    } catch {
      // not listening yet
    }
    if (process && process.child.exitCode !== null) throw new Error(`process exited early:\n${process.output()}`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms${process ? `:\n${process.output()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
