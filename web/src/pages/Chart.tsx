import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useThemeVersion } from '../theme.js';

const PALETTE = ['#2f6fdb', '#c2410c', '#15803d', '#9333ea', '#b45309', '#0e7490'];

export interface RegionSeries {
  region: string;
  points: Array<{ at: string; p50ResponseTimeMs: number | null; p95ResponseTimeMs: number | null }>;
}

/** P50 (solid) and P95 (dashed) per region over time; drag to zoom, double-click to reset. */
export function ResponseTimeChart({ regions, label, from, to }: { regions: RegionSeries[]; label: string; from: string; to: string }) {
  const box = useRef<HTMLDivElement>(null);
  const theme = useThemeVersion();
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    // The period's ends are in the data (as gaps), so the axis spans the whole period, not just the points.
    const ends = [Date.parse(from) / 1000, Date.parse(to) / 1000];
    const times = [...new Set([...ends, ...regions.flatMap((r) => r.points.map((p) => Date.parse(p.at) / 1000))])].sort((a, b) => a - b);
    const data: uPlot.AlignedData = [times];
    const series: uPlot.Series[] = [{}];
    regions.forEach((r, i) => {
      const byTime = new Map(r.points.map((p) => [Date.parse(p.at) / 1000, p]));
      const color = PALETTE[i % PALETTE.length];
      data.push(times.map((t) => byTime.get(t)?.p50ResponseTimeMs ?? null));
      series.push({ label: `${r.region} P50`, stroke: color, width: 2, value: (_u, v) => (v == null ? '—' : `${v.toFixed(1)} ms`) });
      data.push(times.map((t) => byTime.get(t)?.p95ResponseTimeMs ?? null));
      series.push({ label: `${r.region} P95`, stroke: color, width: 1, dash: [6, 4], value: (_u, v) => (v == null ? '—' : `${v.toFixed(1)} ms`) });
    });
    const css = getComputedStyle(el);
    const axis = { stroke: css.color, grid: { stroke: css.getPropertyValue('--grid') || '#8884' }, ticks: { stroke: css.getPropertyValue('--grid') || '#8884' } };
    const plot = new uPlot({
      width: Math.max(280, el.clientWidth),
      height: 260,
      series,
      axes: [axis, { ...axis, label: 'ms', size: 60 }],
      scales: { x: { time: true } },
      cursor: { drag: { x: true, y: false } },
    }, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: 260 }));
    resize.observe(el);
    return () => { resize.disconnect(); plot.destroy(); };
  }, [regions, from, to, theme]);
  return <figure class="chart"><div ref={box} role="img" aria-label={label} /><figcaption class="muted">{label}. Drag across the chart to zoom, double-click to reset.</figcaption></figure>;
}
