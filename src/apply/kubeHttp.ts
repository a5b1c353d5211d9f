// Raw JSON over HTTP(S) to the API server. We do not use client-node's typed API classes: their
// serializer maps plain objects onto model classes that rename fields (NetworkPolicy `from` is
// `_from`), which silently drops them. client-node is used only for what it is good at here:
// reading kubeconfig and turning it into TLS options, tokens and proxies (applyToHTTPSOptions).
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { describeNetworkError, KubeApiError, KubeError, KubeUnreachableError, oneLine, scrub } from './errors.js';

export interface KubeRequest {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
}

/** The one method the rest of src/apply needs; tests substitute a fake. */
export interface Transport {
  request<T = unknown>(method: string, path: string, req?: KubeRequest): Promise<T>;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const MAX_ATTEMPTS = 3;

export class KubeHttp implements Transport {
  readonly server: string;
  readonly kubeUser: string;
  /** Values that must never reach output: scrubbed from every error message. */
  readonly secrets = new Set<string>();
  /** Called once per request answered (code: the HTTP status, or "<error>"): the operator counts them. */
  onResponse?: (method: string, code: string) => void;
  private readonly base: URL;
  private auth?: { at: number; opts: https.RequestOptions };

  constructor(
    private readonly kc: KubeConfig,
    private readonly timeoutMs = 30_000,
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeError('kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/+$/, '');
    this.base = new URL(this.server);
    this.kubeUser = kc.getCurrentUser()?.name ?? '';
  }

  private async options(): Promise<https.RequestOptions> {
    // Re-derived every minute: exec and OIDC credentials can expire during a long rollout wait,
    // and client-node refreshes them only when asked.
    if (this.auth && Date.now() - this.auth.at < 60_000) return this.auth.opts;
    const opts: https.RequestOptions = { headers: {} };
    try {
      await this.kc.applyToHTTPSOptions(opts);
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      if (/HTTP protocol is not allowed/.test(msg)) {
        throw new KubeError(
          `the API server ${this.server} is plain HTTP: set insecure-skip-tls-verify: true on its kubeconfig cluster entry to allow that`,
        );
      }
      throw new KubeError(`kubeconfig credentials for user "${this.kubeUser}": ${msg}`);
    }
    this.auth = { at: Date.now(), opts };
    return opts;
  }

  async request<T = unknown>(method: string, path: string, req: KubeRequest = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(method, path, req);
      } catch (e) {
        const retry =
          attempt < MAX_ATTEMPTS &&
          ((e instanceof KubeApiError && RETRYABLE_STATUS.has(e.status)) ||
            (e instanceof KubeUnreachableError && /reset|closed/.test(e.detail)));
        if (!retry) throw e;
        await new Promise((r) => setTimeout(r, 400 * attempt));
      }
    }
  }

  private async once<T>(method: string, path: string, req: KubeRequest): Promise<T> {
    const url = new URL(this.base.toString());
    url.pathname = `${this.base.pathname.replace(/\/+$/, '')}${path}`;
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const base = await this.options();
    const headers: Record<string, string | number> = {
      ...(base.headers as Record<string, string>),
      Accept: 'application/json',
    };
    if (body) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = body.length;
    }
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise<T>((resolve, reject) => {
      const r = mod.request(url, { ...base, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new KubeUnreachableError(this.server, describeNetworkError(e))));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          this.onResponse?.(method, String(status));
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            parsed = undefined;
          }
          if (status >= 200 && status < 300) {
            if (parsed === undefined)
              reject(new KubeError(`${method} ${url.pathname}: the API server sent a response that is not JSON`));
            else resolve(parsed as T);
            return;
          }
          reject(this.apiError(status, res.statusMessage ?? '', parsed, text, method, url.pathname));
        });
      });
      r.setTimeout(timeoutMs, () =>
        r.destroy(
          Object.assign(
            new Error(`no response within ${timeoutMs < 1000 ? `${timeoutMs}ms` : `${Math.round(timeoutMs / 1000)}s`}`),
            { code: 'RK_TIMEOUT' },
          ),
        ),
      );
      r.on('error', (e: NodeJS.ErrnoException) => {
        this.onResponse?.(method, '<error>');
        reject(new KubeUnreachableError(this.server, describeNetworkError(e)));
      });
      r.end(body);
    });
  }

  private apiError(
    status: number,
    statusText: string,
    parsed: unknown,
    text: string,
    method: string,
    path: string,
  ): KubeApiError {
    const s = (parsed ?? {}) as {
      kind?: string;
      message?: string;
      reason?: string;
      details?: { causes?: Array<{ field?: string; message?: string; reason?: string }> };
    };
    const isStatus = s.kind === 'Status';
    const message = scrub(oneLine(isStatus ? (s.message ?? '') : text.slice(0, 300)), this.secrets);
    return new KubeApiError(
      status,
      (isStatus ? s.reason : undefined) || statusText,
      message,
      method,
      path,
      isStatus ? (s.details?.causes ?? []) : [],
      this.server,
      this.kubeUser,
    );
  }
}
