/** One line of the chart: y values in the order of the chart's x values. */
export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  values: number[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  series: Series[];
  /** A horizontal reference line (e.g. a target). */
  target?: { value: number; label: string };
}

const W = 640;
const H = 400;
const M = { left: 70, right: 20, top: 40, bottom: 90 };

/** A small self-contained SVG line chart, log-scaled y (lateness spans seconds to hours). */
export function renderLineChart(c: LineChart): string {
  const all = [...c.series.flatMap((s) => s.values), ...(c.target ? [c.target.value] : [])].filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const px = (i: number) => M.left + (c.x.length === 1 ? 0 : (i / (c.x.length - 1)) * (W - M.left - M.right));
  const py = (v: number) => {
    const t = (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
    return H - M.bottom - t * (H - M.top - M.bottom);
  };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(c.title)}</text>`,
  ];
  for (let d = lo; d <= hi; d *= 10) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(d)}" y2="${py(d)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 6}" y="${py(d) + 4}" text-anchor="end">${fmtSeconds(d)}</text>`);
  }
  c.x.forEach((x, i) => out.push(`<text x="${px(i)}" y="${H - M.bottom + 18}" text-anchor="middle">${x}</text>`));
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - M.bottom + 38}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`);
  if (c.target) {
    const y = py(c.target.value);
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#c00" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${W - M.right}" y="${y - 4}" text-anchor="end" fill="#c00">${esc(c.target.label)}</text>`);
  }
  c.series.forEach((s, k) => {
    const points = s.values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    s.values.forEach((v, i) => out.push(`<circle cx="${px(i).toFixed(1)}" cy="${py(v).toFixed(1)}" r="3" fill="${s.color}"/>`));
    const lx = M.left + (k % 2) * 280;
    const ly = H - 30 + Math.floor(k / 2) * 16;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${lx + 30}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function fmtSeconds(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
