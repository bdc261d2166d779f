/**
 * The documentation: every relative link in README.md and docs/ resolves (files and #anchors),
 * the README stays a short entry page, its map names every top folder of the repository, and
 * the configuration table names every SAM parameter and every variable the template sets.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadTemplate } from '../src/dev/template.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true })
    .map((f) => join('docs', String(f)))
    .filter((f) => f.endsWith('.md'));
  return ['README.md', ...docs].map((f) => f.split(sep).join('/')).sort();
}

/** The text outside fenced code blocks and inline code: links there are examples, not links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const base = m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Problems with the relative links of one Markdown file (path relative to the repository). */
function brokenLinks(file: string, markdown: string, read: (path: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const m of prose(markdown).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [path = '', anchor] = target.split('#', 2);
    const resolved = path === '' ? file : relative(ROOT, resolve(ROOT, dirname(file), path)).split(sep).join('/');
    const text = read(resolved);
    if (text === undefined) {
      problems.push(`${file}: ${target} (no ${resolved})`);
    } else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(text).has(anchor)) {
      problems.push(`${file}: ${target} (no heading #${anchor} in ${resolved})`);
    }
  }
  return problems;
}

function readRepo(path: string): string | undefined {
  const full = join(ROOT, path);
  if (!existsSync(full)) return undefined;
  return statSync(full).isDirectory() ? '' : readFileSync(full, 'utf8');
}

test('every relative link and #anchor in README.md and docs/ resolves', () => {
  const files = markdownFiles();
  assert.ok(files.length > 5, `docs found: ${files.join(', ')}`);
  assert.deepEqual(files.flatMap((f) => brokenLinks(f, readFileSync(join(ROOT, f), 'utf8'), readRepo)), []);
});

test('the link check finds a missing file, a missing heading, and ignores code and absolute URLs', () => {
  const pages: Record<string, string> = { 'docs/a.md': '# A page\n\n## Step 1: go!\n', 'bench/results/summary.md': '# x' };
  const read = (path: string) => pages[path];
  const page = [
    '[ok](a.md#step-1-go) [ok](../bench/results/summary.md) [ok](#local) [web](https://example.com/x.md)',
    '## Local',
    '[gone](b.md) [bad anchor](a.md#step-2) [bad local](#nowhere)',
    '`[code](nothing.md)`',
    '```',
    '[block](nothing.md)',
    '```',
  ].join('\n');
  pages['docs/index.md'] = page;
  assert.deepEqual(brokenLinks('docs/index.md', page, read), [
    'docs/index.md: b.md (no docs/b.md)',
    'docs/index.md: a.md#step-2 (no heading #step-2 in docs/a.md)',
    'docs/index.md: #nowhere (no heading #nowhere in docs/index.md)',
  ]);
});

test('GitHub anchors: punctuation and code marks dropped, repeated headings numbered', () => {
  assert.deepEqual(
    [...anchors('# Local invoke (what `sam build` / `sam local invoke` do)\n## 7. Cost: today\'s design\n## Tests\n### Tests\n```\n# not a heading\n```')],
    ['local-invoke-what-sam-build--sam-local-invoke-do', '7-cost-todays-design', 'tests', 'tests-1'],
  );
});

test('README.md is an entry page of at most 300 lines whose map names every top folder and every src/ folder', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.ok(readme.split('\n').length <= 300, `README.md has ${readme.split('\n').length} lines`);
  const ignored = new Set(['.git', 'node_modules', 'dist', '.aws-sam', '.gitsync-local']);
  const folders = readdirSync(ROOT, { withFileTypes: true }).filter((e) => e.isDirectory() && !ignored.has(e.name)).map((e) => e.name);
  const map = /## Map of the code\n+```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  assert.deepEqual(folders.filter((f) => !new RegExp(`^${f.replace('.', '\\.')}/`, 'm').test(map)), []);
  const sources = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  assert.deepEqual(sources.filter((f) => !new RegExp(`^  ${f}/`, 'm').test(map)), [], 'every src/ folder, indented under src/');
});

test('docs/configuration.md has a row for every SAM parameter and every function variable of template.yaml', () => {
  const template = loadTemplate();
  const rows = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8').split('\n').filter((l) => l.startsWith('|'));
  const named = (name: string) => rows.some((row) => row.includes(`\`${name}\``));
  const variables = Object.values(template.Resources).flatMap((r) => {
    const env = (r.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    return Object.keys(env ?? {});
  });
  const missing = [...Object.keys(template.Parameters ?? {}), ...new Set(variables)].filter((name) => !named(name));
  assert.deepEqual(missing, []);
});
