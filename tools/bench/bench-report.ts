import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Latency samples in milliseconds → the numbers a report quotes. */
export interface Summary {
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarise(latenciesMs: number[], seconds: number): Summary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  return {
    count: sorted.length,
    seconds: round(seconds),
    perSecond: round(sorted.length / seconds),
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(sorted.at(-1) ?? 0),
  };
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Runs `work` `total` times with `concurrency` in flight; returns each call's latency in ms. */
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

/**
 * The load generator's HTTP client: node:http over kept-alive connections. It shares the machine
 * with what it measures, and costs about a third of the CPU per request that fetch does (as the
 * raw baselines' pg and kafkajs clients are light too).
 */
export function httpRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = options.body === undefined ? options.headers : { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) };
    const request = http.request(url, { method: options.method ?? 'GET', headers, agent: keepAlive }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

export async function runConcurrently(total: number, concurrency: number, work: (index: number) => Promise<void>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        const index = next++;
        const begin = process.hrtime.bigint();
        await work(index);
        latencies.push(Number(process.hrtime.bigint() - begin) / 1e6);
      }
    }),
  );
  return { latencies, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export function machine() {
  return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: round(os.totalmem() / 2 ** 30, 1), node: process.version, platform: `${os.type()} ${os.release()}` };
}

export interface BarSeries {
  label: string;
  values: number[];
}

/** A grouped bar chart as standalone SVG (no fonts or scripts from elsewhere). */
export function barChartSvg(title: string, categories: string[], series: BarSeries[], unit: string): string {
  const width = 860;
  const height = 420;
  const left = 70;
  const bottom = 70;
  const top = 50;
  const plotWidth = width - left - 20;
  const plotHeight = height - top - bottom;
  const max = Math.max(1, ...series.flatMap((entry) => entry.values)) * 1.1;
  const colours = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#c53030', '#718096'];
  const groupWidth = plotWidth / categories.length;
  const barWidth = (groupWidth * 0.8) / series.length;
  const bars: string[] = [];
  categories.forEach((category, groupIndex) => {
    series.forEach((entry, seriesIndex) => {
      const value = entry.values[groupIndex] ?? 0;
      const barHeight = (value / max) * plotHeight;
      const x = left + groupIndex * groupWidth + groupWidth * 0.1 + seriesIndex * barWidth;
      const y = top + plotHeight - barHeight;
      bars.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${colours[seriesIndex % colours.length]}"><title>${escape(entry.label)} ${escape(category)}: ${value} ${unit}</title></rect>`);
      bars.push(`<text x="${(x + barWidth / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" font-size="10" text-anchor="middle">${value}</text>`);
    });
    bars.push(`<text x="${(left + groupIndex * groupWidth + groupWidth / 2).toFixed(1)}" y="${height - bottom + 18}" font-size="12" text-anchor="middle">${escape(category)}</text>`);
  });
  const ticks = Array.from({ length: 6 }, (_, index) => {
    const value = (max / 5) * index;
    const y = top + plotHeight - (value / max) * plotHeight;
    return `<line x1="${left}" x2="${width - 20}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e2e8f0"/><text x="${left - 6}" y="${(y + 4).toFixed(1)}" font-size="10" text-anchor="end">${round(value, value < 10 ? 1 : 0)}</text>`;
  });
  const legend = series
    .map((entry, index) => `<rect x="${left + index * 170}" y="${height - 28}" width="12" height="12" fill="${colours[index % colours.length]}"/><text x="${left + index * 170 + 18}" y="${height - 18}" font-size="12">${escape(entry.label)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${left}" y="28" font-size="16" font-weight="bold">${escape(title)}</text>
<text x="14" y="${top + plotHeight / 2}" font-size="11" transform="rotate(-90 14 ${top + plotHeight / 2})" text-anchor="middle">${escape(unit)}</text>
${ticks.join('\n')}
${bars.join('\n')}
<line x1="${left}" x2="${width - 20}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#4a5568"/>
${legend}
</svg>
`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Writes `<name>.json`, `<name>.md` and the charts into bench-results/, returning the paths. */
export function writeReport(root: string, name: string, json: unknown, markdown: string, charts: Record<string, string>): string[] {
  const directory = path.join(root, 'bench-results');
  mkdirSync(directory, { recursive: true });
  const files = [path.join(directory, `${name}.json`), path.join(directory, `${name}.md`)];
  writeFileSync(files[0], `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(files[1], markdown);
  for (const [file, svg] of Object.entries(charts)) {
    const target = path.join(directory, file);
    writeFileSync(target, svg);
    files.push(target);
  }
  return files;
}

export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}
