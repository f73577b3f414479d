// Tables of the benchmark results, as aligned text (console) and as Markdown (README), and the
// verdict on the three targets.
const MB = 2 ** 20;
export const TARGETS = { rate: 1e6, bytesPerNnz: 200 };

const ms = (x) => (x === undefined ? '' : x < 10 ? x.toFixed(1) : x.toFixed(0));
const rate = (nnz, t) => {
  if (!t) return '';
  const r = nnz / (t / 1000);
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)} M` : `${(r / 1e3).toFixed(0)} k`;
};
const mb = (b) => (Number.isFinite(b) ? (b / MB).toFixed(0) : '');
const big = (n) => n.toLocaleString('en-US');
/** Source to .lp: parse + check + build + write. */
export const srcToLp = (e) => e.times.parse + e.times.check + e.times.build + e.times.write;

function sameSize(a, b) {
  return a.rows === b.rows && a.cols === b.cols && a.nnz === b.nnz && a.objNnz === b.objNnz;
}

function tables(results) {
  const label = (r) => `${r.N} x ${r.T}`;
  const ok = results.filter((r) => !r.evg.error);
  const failed = results.filter((r) => r.evg.error).map((r) => [label(r), big(r.expected.nnz), r.evg.error]);
  const out = [];
  out.push({
    title: 'evg phase times (ms); src→lp = parse + check + build + write',
    head: ['N x T', 'rows', 'columns', 'nonzeros', 'parse', 'check', 'build', 'write .lp', 'src→lp', 'HiGHS hand-over'],
    rows: ok.map((r) => { const e = r.evg, t = e.times; return [label(r), big(e.size.rows), big(e.size.cols), big(e.size.nnz), ms(t.parse), ms(t.check), ms(t.build), ms(t.write), ms(srcToLp(e)), ms(t.highs)]; }),
  });
  out.push({
    title: `evg throughput (nonzeros per second; target src→lp >= ${TARGETS.rate / 1e6} M/s)`,
    head: ['N x T', 'parse', 'check', 'build', 'write .lp', 'src→lp', 'target', 'HiGHS hand-over'],
    rows: ok.map((r) => {
      const e = r.evg, t = e.times, n = e.size.nnz;
      return [label(r), rate(n, t.parse), rate(n, t.check), rate(n, t.build), rate(n, t.write), rate(n, srcToLp(e)), n / (srcToLp(e) / 1000) >= TARGETS.rate ? 'pass' : 'FAIL', rate(n, t.highs)];
    }),
  });
  out.push({
    title: `evg peak RSS (MiB, whole process, after each step; target src→lp <= ${TARGETS.bytesPerNnz} B/nonzero)`,
    head: ['N x T', 'at start', 'after build', 'after write', 'after HiGHS', 'B/nnz src→lp', 'target', 'B/nnz above start', 'B/nnz with HiGHS'],
    rows: ok.map((r) => {
      const p = r.evg.peakRss, n = r.evg.size.nnz, b = p.write / n;
      return [label(r), mb(p.start), mb(p.build), mb(p.write), mb(p.highs), b.toFixed(0), b <= TARGETS.bytesPerNnz ? 'pass' : 'FAIL', ((p.write - p.start) / n).toFixed(0), p.highs ? (p.highs / n).toFixed(0) : ''];
    }),
  });
  if (results.some((r) => r.glpsol)) {
    out.push({
      title: 'evg vs glpsol --check --wlp (source to .lp; glpsol is timed as a whole process)',
      head: ['N x T', 'nonzeros', 'same rows/cols/nnz', 'glpsol s', 'glpsol peak MiB', 'glpsol B/nnz', 'evg src→lp s', 'evg process s', 'evg/glpsol', 'target'],
      rows: results.filter((r) => r.glpsol).map((r) => {
        const g = r.glpsol, e = r.evg;
        if (g.error) return [label(r), big(r.expected.nnz), '', g.error, '', '', e.error ? '' : (srcToLp(e) / 1000).toFixed(2), '', '', ''];
        const ratio = e.error ? undefined : srcToLp(e) / g.wall;
        return [
          label(r), big(g.size.nnz), e.error ? '(evg failed)' : sameSize(e.size, g.size) ? 'yes' : `NO (evg ${e.size.rows}/${e.size.cols}/${e.size.nnz})`,
          (g.wall / 1000).toFixed(2), mb(g.peakRss), (g.peakRss / g.size.nnz).toFixed(0),
          e.error ? 'did not finish' : (srcToLp(e) / 1000).toFixed(2), e.error ? '' : (e.wall / 1000).toFixed(2),
          ratio === undefined ? '' : ratio.toFixed(2), ratio === undefined ? 'FAIL' : ratio < 1 ? 'pass' : 'FAIL',
        ];
      }),
    });
  }
  if (failed.length) out.push({ title: 'evg did not finish', head: ['N x T', 'nonzeros', 'error'], rows: failed });
  return out;
}

function text({ title, head, rows }) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 || i === cells.length - 1 && head[i] === 'error' ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  return [title, line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

function markdown({ title, head, rows }) {
  const esc = (c) => String(c).replace(/\|/g, '\\|');
  return [`**${title}**`, '', `| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export function renderTables(results) {
  const ts = tables(results);
  return { text: ts.map(text).join('\n\n'), markdown: ts.map(markdown).join('\n\n') + '\n' };
}
