import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultTenantOf } from '../../../adapters/web/index.ts';
import { CONTENT_SECURITY_POLICY, loadAsset, PUBLIC_DIR } from '../../../adapters/web/static.ts';

const files = readdirSync(PUBLIC_DIR);
const read = (file: string) => readFileSync(join(PUBLIC_DIR, file), 'utf8');

describe('the page’s static files', () => {
  it('are plain HTML, CSS and JavaScript', () => {
    expect(files.sort()).toEqual(['app.css', 'app.js', 'index.html']);
  });

  it.each(files)('%s loads nothing from the internet', (file) => {
    expect(read(file)).not.toMatch(/\b(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    expect(read(file)).not.toMatch(/@import|url\(/);
  });

  it('puts text into the page only as text', () => {
    expect(read('app.js')).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });

  it('has no inline script or style, which the CSP would block', () => {
    const html = read('index.html');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1/);
  });

  it('are served under a CSP that allows only this origin', () => {
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'self'; /);
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it('get a content type and an ETag that changes with the content', () => {
    const page = loadAsset('index.html');
    expect(page.contentType).toBe('text/html; charset=utf-8');
    expect(loadAsset('app.js').etag).not.toBe(page.etag);
    expect(() => loadAsset('logo.svg')).toThrow(/No content type for logo\.svg/);
  });
});

describe('defaultTenantOf', () => {
  it.each([
    [['giantkone', 'smarthw'], null, 'giantkone'],
    [['giantkone', 'smarthw'], 'smarthw', 'smarthw'],
    [['giantkone', 'smarthw'], 'acme', 'giantkone'],
    [[], null, null],
  ])('tenants %j, configured %s → %s', (tenants, configured, expected) => {
    expect(defaultTenantOf(tenants, configured)).toBe(expected);
  });
});
