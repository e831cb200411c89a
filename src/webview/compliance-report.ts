import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { signerGroups, signersText, uncheckedText } from '../core/workflows/report/model.ts';
import type { ComplianceRow, ReportPageData } from '../core/workflows/report/model.ts';
import { h } from './dom.ts';

/**
 * The signing-compliance report's page: totals, a chart by status, method
 * and signer (each bar, and each count under it, shows the packages it
 * counts), and the packages — what is not compliant first. The same script
 * runs in a standalone HTML file and in VS Code's webview, where a package
 * opens at its lock-file entry.
 */
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

declare const acquireVsCodeApi: (() => { postMessage(message: unknown): void }) | undefined;
const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;

const data = JSON.parse(document.getElementById('report-data')!.textContent!) as ReportPageData;
const { report } = data;
const app = document.getElementById('app')!;

const STATUS_COLOR: Record<string, string> = {
  verified: '#2da44e',
  'signed-no-policy': '#0969da',
  'signed-untrusted': '#d4a72c',
  unsigned: '#8c959f',
  invalid: '#cf222e',
  tampered: '#82071e',
  unavailable: '#8250df',
  unattested: '#bc4c00',
  unverified: '#fb8500',
  skipped: '#afb8c1',
  blocked: '#82071e',
};
const PAGE = 200;

type Group = 'status' | 'method' | 'signer';
interface Filter {
  label: string;
  test: (row: ComplianceRow) => boolean;
}
const NOT_COMPLIANT: Filter = { label: 'Not compliant', test: (r) => !r.compliant };
const ALL: Filter = { label: 'All packages', test: () => true };
let filter = report.totals.notCompliant > 0 ? NOT_COMPLIANT : ALL;
let shown = PAGE;

const filterLabel = h('strong', { id: 'filter-label' });
const showAll = h('button', { id: 'show-all', type: 'button' }, 'Show all packages');
const table = h('table', { id: 'packages' });
const more = h('button', { id: 'show-more', type: 'button' }, 'Show more');
showAll.addEventListener('click', () => select(ALL));
more.addEventListener('click', () => {
  shown += PAGE;
  renderRows();
});

function header(): void {
  const t = report.totals;
  app.append(
    h('h1', {}, 'Signing compliance'),
    h(
      'div',
      { class: 'meta' },
      `${data.scope} · policy: ${report.policy} · ${new Date(report.generatedAt).toLocaleString()}`,
    ),
    h(
      'div',
      { class: 'totals' },
      h('div', { id: 'total' }, h('strong', {}, String(t.total)), 'packages'),
      h('div', { id: 'compliant' }, h('strong', {}, String(t.compliant)), 'compliant'),
      h(
        'div',
        { id: 'not-compliant', class: t.notCompliant > 0 ? 'bad' : '' },
        h('strong', {}, String(t.notCompliant)),
        'not compliant',
      ),
      // What could not be checked is never compliant: counted beside the rest, and said with what to do.
      ...(report.unchecked.length > 0
        ? [
            h(
              'div',
              { id: 'not-checked', class: 'bad' },
              h('strong', {}, String(report.unchecked.length)),
              'not checked',
            ),
          ]
        : []),
    ),
    ...report.unchecked.map((u) =>
      h('div', { class: 'notice unchecked', role: 'alert' }, `⚠ ${uncheckedText(u)} Next: ${u.next}`),
    ),
  );
}

/** A bar chart whose bars, and the links under it, each select the packages they count. */
function chart(
  group: Group,
  title: string,
  bars: { key: string; label: string; count: number; color: string }[],
): HTMLElement {
  const canvas = document.createElement('canvas');
  canvas.id = `chart-${group}`;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${title}: ${bars.map((b) => `${b.count} ${b.label}`).join(', ')}`);
  const links = h('ul', { class: 'bars', id: `bars-${group}` });
  const pick = (i: number) => select(barFilter(group, bars[i]!.key, bars[i]!.label));
  bars.forEach((bar, i) => {
    const link = h('a', { href: '#packages', 'data-group': group, 'data-key': bar.key }, `${bar.label}: ${bar.count}`);
    link.addEventListener('click', (e) => {
      e.preventDefault();
      pick(i);
    });
    links.append(h('li', {}, link));
  });
  const box = h('section', { class: 'chart' }, h('h2', {}, title), h('div', { class: 'canvas' }, canvas), links);
  new Chart(canvas, {
    type: 'bar',
    data: {
      labels: bars.map((b) => b.label),
      datasets: [{ data: bars.map((b) => b.count), backgroundColor: bars.map((b) => b.color) }],
    },
    options: {
      indexAxis: group === 'signer' ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { tooltip: { callbacks: { footer: () => 'Click to list these packages' } } },
      scales: {
        [group === 'signer' ? 'x' : 'y']: { beginAtZero: true, ticks: { precision: 0 } },
        // Long identities (a workflow URI, a key with its user id) are cut on the axis; the links below say them whole.
        [group === 'signer' ? 'y' : 'x']: { ticks: { callback: (_value, i) => short(bars[i]?.label ?? '') } },
      },
      onClick: (_event, elements) => {
        if (elements[0]) pick(elements[0].index);
      },
    },
  });
  return box;
}

function short(label: string): string {
  return label.length > 28 ? `${label.slice(0, 27)}…` : label;
}

function barFilter(group: Group, key: string, label: string): Filter {
  const test: Record<Group, (r: ComplianceRow) => boolean> = {
    status: (r) => r.status === key,
    method: (r) => r.method === key,
    signer: (r) => signerGroups(r).includes(key),
  };
  return {
    label: `${group === 'status' ? 'Status' : group === 'method' ? 'Method' : 'Signer'}: ${label}`,
    test: test[group],
  };
}

function select(next: Filter): void {
  filter = next;
  shown = PAGE;
  for (const link of document.querySelectorAll('a[data-group]')) link.classList.remove('active');
  renderRows();
  table.scrollIntoView?.({ block: 'nearest' });
}

function renderRows(): void {
  const rows = report.rows.filter(filter.test);
  filterLabel.textContent = `${filter.label} (${rows.length})`;
  const head = h(
    'tr',
    {},
    ...['Where', 'Package', 'Status', 'Method', 'Signer', 'Attested', 'Published by', 'Why'].map((c) => h('th', {}, c)),
  );
  table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...rows.slice(0, shown).map(rowElement)));
  more.style.display = rows.length > shown ? '' : 'none';
}

function rowElement(row: ComplianceRow): HTMLElement {
  const name = vscode
    ? h('a', { href: '#' }, `${row.name}@${row.version}`)
    : h('span', {}, `${row.name}@${row.version}`);
  name.addEventListener('click', (e) => {
    e.preventDefault();
    vscode?.postMessage({ type: 'reveal', where: row.where, name: row.name });
  });
  const why = [
    ...row.findings,
    row.message,
    row.yanked ? 'yanked' : '',
    row.approval && row.approval !== 'approved' ? `approval ${row.approval}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return h(
    'tr',
    { class: row.compliant ? 'ok' : 'fail', 'data-name': row.name, 'data-status': row.status },
    h('td', {}, row.where),
    h('td', {}, name),
    h('td', { class: 'status' }, statusLabel(row.status)),
    h('td', {}, row.method),
    h(
      'td',
      row.delegations && row.delegations.length > 0 ? { title: row.delegations.join('\n') } : {},
      signersText(row) ?? '—',
      ...(row.delegations ?? []).map((d) => h('div', { class: 'delegation' }, d)),
    ),
    h('td', {}, row.attested === undefined ? '—' : row.attested ? 'yes' : 'no'),
    h('td', {}, row.publishedBy ?? '—'),
    h('td', { class: 'why' }, why),
  );
}

function statusLabel(status: string): string {
  return report.totals.byStatus.find((s) => s.status === status)?.label ?? status;
}

header();
const charts = h(
  'div',
  { class: 'charts' },
  chart(
    'status',
    'By status',
    report.totals.byStatus.map((s) => ({
      key: s.status,
      label: s.label,
      count: s.count,
      color: STATUS_COLOR[s.status] ?? '#8c959f',
    })),
  ),
  chart(
    'method',
    'By method',
    report.totals.byMethod.map((m) => ({
      key: m.method,
      label: m.method,
      count: m.count,
      color: m.method === 'none' || m.method === 'not checked' ? '#8c959f' : '#0969da',
    })),
  ),
  chart(
    'signer',
    'By signer (top 15)',
    report.totals.bySigner.slice(0, 15).map((s) => ({
      key: s.signer,
      label: s.signer,
      count: s.count,
      color: s.signer.startsWith('(') ? '#8c959f' : '#8250df',
    })),
  ),
);
app.append(charts, h('div', { class: 'filter' }, filterLabel, showAll), table, more);
renderRows();
