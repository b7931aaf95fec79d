import type { DatasetProgress } from '@pal/core';

/** How to reach the Hub and where to keep what was downloaded; shared by every download call. */
export interface HubConnectionSettings {
  /** Cache root; defaults to `$PAL_CACHE_DIR/hub` or `~/.cache/pal/hub`. */
  cacheDirectory?: string;
  /** The fetch the Hub client uses (a proxy, a test double); defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Hub endpoint; defaults to `$HF_ENDPOINT` or https://huggingface.co. */
  hubUrl?: string;
  /** Token for gated or private repositories; defaults to `$HF_TOKEN`. */
  accessToken?: string;
  /** Never touch the network; use only cached or manually placed files. Also on with `$HF_HUB_OFFLINE=1`. */
  offline?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: DatasetProgress) => void;
}

/** The connection settings with every default filled in. */
export interface ResolvedHubConnection {
  fetch: typeof fetch;
  hubUrl: string;
  accessToken: string | undefined;
  offline: boolean;
  signal: AbortSignal | undefined;
  onProgress: ((progress: DatasetProgress) => void) | undefined;
}

const defaultHubUrl = 'https://huggingface.co';

/** Fills in the defaults of `HubConnectionSettings` from the environment. */
export function resolveHubConnection(settings: HubConnectionSettings): ResolvedHubConnection {
  const offlineFromEnvironment = ['1', 'true', 'yes'].includes((process.env.HF_HUB_OFFLINE ?? '').toLowerCase());
  const baseFetch = settings.fetch ?? globalThis.fetch;
  const signal = settings.signal;
  // The Hub client has no AbortSignal option, so the signal rides along on every request it makes.
  const fetchWithSignal: typeof fetch = signal
    ? (input, init) => baseFetch(input, { ...init, signal: init?.signal ?? signal })
    : baseFetch;
  return {
    fetch: fetchWithSignal,
    hubUrl: (settings.hubUrl ?? process.env.HF_ENDPOINT ?? defaultHubUrl).replace(/\/+$/, ''),
    accessToken: settings.accessToken ?? (process.env.HF_TOKEN || undefined),
    offline: settings.offline ?? offlineFromEnvironment,
    signal,
    onProgress: settings.onProgress,
  };
}

/** True for errors that mean "the network could not be reached" rather than "the Hub said no". */
export function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError') return false;
  if (error instanceof TypeError && /fetch failed|network|ECONNREFUSED|ENOTFOUND|EAI_AGAIN/i.test(error.message)) return true;
  const code = (error as NodeJS.ErrnoException).code ?? ((error.cause as NodeJS.ErrnoException | undefined)?.code);
  return typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'].includes(code);
}
