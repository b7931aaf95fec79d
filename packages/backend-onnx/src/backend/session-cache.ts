import { createHash } from 'node:crypto';
import type * as ort from 'onnxruntime-node';
import { createSession, type RuntimeSettings } from './session-runner.js';

interface CacheEntry {
  session: Promise<ort.InferenceSession>;
  users: number;
  lastUsed: number;
}

/** Sessions kept after their last model is disposed, so the next model of the same shape starts at once. */
const IDLE_SESSIONS = 8;

/**
 * ONNX Runtime sessions of one backend, shared by every model whose graph has the same bytes (graphs
 * hold no weights, so models of the same definition share them). Creating a session for a d = 1024
 * model takes tens of milliseconds, which would dominate short jobs such as localising one user.
 */
export class SessionCache {
  private readonly entries = new Map<string, CacheEntry>();
  private clock = 0;

  constructor(private readonly runtime: RuntimeSettings) {}

  /** A session for `bytes`; the caller must `release` the returned key when done. */
  acquire(bytes: Uint8Array): { key: string; session: Promise<ort.InferenceSession> } {
    const key = createHash('sha256').update(bytes).digest('hex');
    let entry = this.entries.get(key);
    if (!entry) {
      const session = createSession(bytes, this.runtime);
      entry = { session, users: 0, lastUsed: 0 };
      this.entries.set(key, entry);
      session.catch(() => this.entries.delete(key));
    }
    entry.users += 1;
    entry.lastUsed = ++this.clock;
    return { key, session: entry.session };
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
