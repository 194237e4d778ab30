// The layering of the source tree, checked over the real import graph (TypeScript's own
// pre-processor lists every import, `import type` included): the model (lib/model) imports only
// itself; the solvers import the model; reports import solvers and the model; the application
// (lib/app) may import everything, and only it imports reports. Plus the size and citation
// rules of the project: no source file past 500 lines, no comment citing a document outside the
// repository.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
type Layer = 'model' | 'solvers' | 'reports' | 'app';
const ALLOWED: Record<Layer, Layer[]> = {
  model: ['model'],
  solvers: ['solvers', 'model'],
  reports: ['reports', 'solvers', 'model'],
  app: ['app', 'reports', 'solvers', 'model'],
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

function layerOf(rel: string): Layer | null {
  if (rel.startsWith('lib/model/')) return 'model';
  if (rel.startsWith('lib/app/')) return 'app';
  if (rel.startsWith('solvers/')) return 'solvers';
  if (rel.startsWith('reports/')) return 'reports';
  return null;
}

const files = ['lib', 'solvers', 'reports'].flatMap(sources).sort();

describe('architecture', () => {
  it('imports run one way: application → reports → solvers → model', () => {
    const violations: string[] = [];
    let edges = 0;
    for (const file of files) {
      const from = layerOf(file);
      expect(from, `${file} is in no layer`).not.toBeNull();
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const imp of ts.preProcessFile(text, true, true).importedFiles) {
        if (!imp.fileName.startsWith('.')) continue;
        const target = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), imp.fileName));
        const to = layerOf(target.endsWith('.json') ? target : `${target}.ts`);
        edges++;
        if (to === null) violations.push(`${file} imports ${imp.fileName}, outside lib/, solvers/ and reports/`);
        else if (!ALLOWED[from!].includes(to)) violations.push(`${file} (${from}) imports ${target} (${to})`);
      }
    }
    expect(edges).toBeGreaterThan(300);
    expect(violations).toEqual([]);
  });

  it('no source file is longer than 500 lines (one idea a file)', () => {
    const long = files.map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > 500);
    expect(long).toEqual([]);
  });

  it('comments cite papers and files in the repository, not documents outside it', () => {
    const outside = /design §|design\.md|paper-notes|anchors\.md|pipeline-anchors|\.\.\/shared|\bissue \d/;
    const self = path.relative(ROOT, __filename);
    const hits = [...files, ...sources('test')].filter((f) => f !== self && outside.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(hits).toEqual([]);
  });
});
