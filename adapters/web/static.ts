// The page's static files, read once at start-up (a missing file fails the start, not a
// visitor's request) and served with a strict Content-Security-Policy: the page loads only
// its own script and stylesheet, runs no inline code and cannot be framed.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { HttpRequest } from '../../src/channels/channel.ts';
import { PROJECT_ROOT } from '../../src/project-root.ts';

export const PUBLIC_DIR = join(PROJECT_ROOT, 'adapters/web/public');

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Headers every web-chat response carries, pages and API alike. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export interface StaticAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export function loadAsset(file: string, dir = PUBLIC_DIR): StaticAsset {
  const extension = file.slice(file.lastIndexOf('.'));
  const contentType = CONTENT_TYPES[extension];
  if (!contentType) throw new Error(`No content type for ${file}; add its extension to CONTENT_TYPES in adapters/web/static.ts.`);
  const body = readFileSync(join(dir, file));
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/**
 * Serves an asset. The file names carry no version, so browsers revalidate every time
 * (`no-cache`) and get a 304 while the ETag still matches: a deploy is seen at once.
 */
export function serveAsset(asset: StaticAsset, request: HttpRequest, res: ServerResponse): void {
  const headers = { ...SECURITY_HEADERS, 'cache-control': 'no-cache', etag: asset.etag };
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === asset.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': asset.contentType, 'content-length': asset.body.length });
  res.end(asset.body);
}
