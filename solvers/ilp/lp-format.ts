/**
 * CPLEX LP format writer, so that CBC, GLPK (`glpsol --lp`), HiGHS, SCIP or Gurobi can solve the
 * very model our backends solve. Sections: objective, `Subject To`, `Bounds`, `General`,
 * `Binary`, `End`. Long expressions are wrapped (some readers limit line length; newlines
 * are insignificant inside an expression). Numbers are written exactly as JavaScript prints
 * them (integers stay integers). O(size of the model).
 */
import type { MilpModel } from './model';

const WRAP = 200;

function num(c: number): string {
  if (!Number.isFinite(c)) throw new Error(`LP writer: non-finite coefficient ${c}`);
  return String(c);
}

function expr(idx: number[], coef: number[], names: string[], indent: string): string[] {
  const lines: string[] = [];
  let line = indent;
  for (let k = 0; k < idx.length; k++) {
    const c = coef[k];
    const sign = c < 0 ? '-' : '+';
    const mag = Math.abs(c);
    const term = `${k === 0 && sign === '+' ? '' : `${sign} `}${mag === 1 ? '' : `${num(mag)} `}${names[idx[k]]}`;
    if (line.length + term.length + 1 > WRAP && line.trim() !== '') {
      lines.push(line);
      line = indent;
    }
    line += (line.trim() === '' ? '' : ' ') + term;
  }
  if (line.trim() === '') line += '0 ' + names[0]; // an empty expression: "0 x" keeps the syntax valid
  lines.push(line);
  return lines;
}

function bound(b: number): string {
  return b === Infinity ? '+inf' : b === -Infinity ? '-inf' : num(b);
}

export function writeLp(model: MilpModel): string {
  if (model.vars.length === 0) throw new Error('LP writer: a model needs at least one variable');
  const names = model.vars.map((v) => v.name);
  const out: string[] = [];
  out.push(`\\ ${model.name}`, `\\ ${model.vars.length} variables, ${model.rows.length} constraints (written by spikepipe)`);
  out.push(model.sense === 'min' ? 'Minimize' : 'Maximize');
  const obj = expr(model.objIdx, model.objCoef, names, ' ');
  obj[0] = ' obj: ' + obj[0].trimStart();
  out.push(...obj);
  out.push('Subject To');
  for (const r of model.rows) {
    const e = expr(r.idx, r.coef, names, ' ');
    e[0] = ` ${r.name}: ` + e[0].trimStart();
    e[e.length - 1] += ` ${r.sense} ${num(r.rhs)}`;
    out.push(...e);
  }
  out.push('Bounds');
  for (const v of model.vars) {
    if (v.type === 'binary' && v.lb === 0 && v.ub === 1) continue;
    if (v.lb === -Infinity && v.ub === Infinity) out.push(` ${v.name} free`);
    else if (v.lb === v.ub) out.push(` ${v.name} = ${num(v.lb)}`);
    else out.push(` ${bound(v.lb)} <= ${v.name} <= ${bound(v.ub)}`);
  }
  const gen = model.vars.filter((v) => v.type === 'integer').map((v) => v.name);
  const bin = model.vars.filter((v) => v.type === 'binary').map((v) => v.name);
  const list = (title: string, xs: string[]) => {
    if (xs.length === 0) return;
    out.push(title);
    for (let k = 0; k < xs.length; k += 10) out.push(' ' + xs.slice(k, k + 10).join(' '));
  };
  list('General', gen);
  list('Binary', bin);
  out.push('End');
  return out.join('\n') + '\n';
}
