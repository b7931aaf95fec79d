import type * as ort from 'onnxruntime-node';
import type { SessionGraph } from '../model/session-graphs.js';
import { createSession, type RuntimeSettings } from './session-runner.js';

interface CacheEntry {
  graph: SessionGraph;
  session: Promise<ort.InferenceSession>;
  users: number;
  lastUsed: number;
}

/** Sessions kept after their last model is disposed, so the next model of the same shape starts at once. */
const IDLE_SESSIONS = 8;

/**
 * Graphs and ONNX Runtime sessions of one backend, shared by every model whose graph has the same key
 * (graphs hold no weights, so models of the same definition share them). Building a graph and creating
 * its session for a d = 1024 model takes tens of milliseconds, which would dominate short jobs such as
 * localising one user.
 */
export class SessionCache {
  private readonly entries = new Map<string, CacheEntry>();
  private clock = 0;

  constructor(private readonly runtime: RuntimeSettings) {}

  /**
   * The graph and session for `key` (a description that fully determines the graph), built by `build`
   * on first use; the caller must `release` the key when done.
   */
  acquire(key: string, build: () => SessionGraph): { graph: SessionGraph; session: Promise<ort.InferenceSession> } {
    let entry = this.entries.get(key);
    if (!entry) {
      const graph = build();
      const session = createSession(graph.bytes, this.runtime);
      entry = { graph, session, users: 0, lastUsed: 0 };
      this.entries.set(key, entry);
      session.catch(() => this.entries.delete(key));
    }
    entry.users += 1;
    entry.lastUsed = ++this.clock;
    return { graph: entry.graph, session: entry.session };
  }

  /** Gives a session back; idle sessions beyond the most recent few are released. */
  async release(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.users -= 1;
    const idle = [...this.entries.entries()].filter(([, candidate]) => candidate.users === 0).sort((a, b) => b[1].lastUsed - a[1].lastUsed);
    for (const [idleKey, idleEntry] of idle.slice(IDLE_SESSIONS)) {
      this.entries.delete(idleKey);
      const session = await idleEntry.session.catch(() => undefined);
      await session?.release();
    }
  }
}
