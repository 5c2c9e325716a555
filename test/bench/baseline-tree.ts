import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Benchmarks that compare this tree with an earlier commit run both as child processes, in one run on one machine,
 * so that the ratio means something whatever the machine's speed.
 *
 * The default baseline is the last commit before timeouts, input checks and access control landed.
 */
export const DEFAULT_BASELINE = '650763d';
export const baselineRef = process.env.BENCH_BASELINE ?? DEFAULT_BASELINE;
export const thisTree = resolve('.');

/** Checks the baseline out into a temporary worktree (sharing node_modules) for the duration of `use`. */
export async function withBaselineTree<T>(use: (tree: string) => Promise<T>): Promise<T> {
  const tree = mkdtempSync(join(tmpdir(), 'sla-bench-baseline-'));
  execFileSync('git', ['worktree', 'add', '--detach', tree, baselineRef], { stdio: 'ignore' });
  try {
    if (!existsSync(join(tree, 'node_modules')))
      symlinkSync(join(thisTree, 'node_modules'), join(tree, 'node_modules'));
    return await use(tree);
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', tree], { stdio: 'ignore' });
    rmSync(tree, { recursive: true, force: true });
  }
}

/** The app of `tree` (src/main.ts) as a child process; BENCH_CPU_PROF=<dir> makes it write a V8 CPU profile there. */
export function startAppIn(tree: string, port: number, env: Record<string, string>): ChildProcess {
  return spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      '--import',
      '@swc-node/register/esm-register',
      'src/main.ts',
    ],
    {
      cwd: tree,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'development', ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

export async function waitForHealth(port: number): Promise<void> {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch {
      /* not yet listening */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the app on :${port} did not become healthy`);
}

export async function stopApp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
