/**
 * The console's stylesheet, served as /console/console.css. It lives in a TypeScript module so the
 * workspace build (which compiles .ts files only) carries it into dist/ and the image. System
 * fonts only: nothing is fetched from another origin.
 */
export const CONSOLE_STYLES = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; --accent: #0a5bd3; --accent-ink: #fff;
  --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --focus: #0b57d0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 16px; line-height: 1.5; color: var(--ink); }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
h1:focus { outline: none; }
h2 { font-size: 1.2rem; margin: 0 0 .75rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
.skip { position: absolute; left: -9999px; top: 0; background: var(--ink); color: #fff; padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.top { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; padding: .5rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
.brand { font-weight: 600; margin-right: auto; }
.tenant { display: flex; gap: .5rem; align-items: center; }
.layout { display: grid; grid-template-columns: 14rem 1fr; min-height: calc(100vh - 3.5rem); }
nav[aria-label="Sections"] { background: #fff; border-right: 1px solid var(--line); padding: 1rem 0; }
nav[aria-label="Sections"] ul { list-style: none; margin: 0; padding: 0; }
nav[aria-label="Sections"] a { display: block; padding: .5rem 1rem; text-decoration: none; color: var(--ink); }
nav[aria-label="Sections"] a[aria-current="page"] { background: var(--bg); border-left: 4px solid var(--accent); font-weight: 600; }
.menu-toggle { display: none; }
main { padding: 1.5rem; max-width: 72rem; min-width: 0; }
main:focus { outline: none; }
.sign-in { max-width: 30rem; margin: 4rem auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 2rem; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem; margin-bottom: 1.25rem; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1.25rem; }
.field { display: flex; flex-direction: column; gap: .25rem; margin-bottom: .9rem; }
.field.checkbox { flex-direction: row; align-items: center; gap: .5rem; }
.field.grow { flex: 1 1 14rem; }
label { font-weight: 500; }
input[type="text"], input[type="url"], input[type="password"], input[type="search"], input[type="number"], input[type="datetime-local"], select {
  font: inherit; padding: .45rem .6rem; border: 1px solid #8c959f; border-radius: 6px; background: #fff; min-width: 0; max-width: 100%; }
input[readonly] { background: var(--bg); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9rem; }
button { font: inherit; padding: .45rem 1rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
a.button-link { display: inline-block; padding: .45rem 1rem; border-radius: 6px; border: 1px solid var(--accent); background: #fff; color: var(--accent); text-decoration: none; }
button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
button[disabled] { opacity: .5; cursor: not-allowed; }
.copy-row { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.copy-row input { flex: 1 1 20rem; }
.copied { color: var(--ok); font-size: .9rem; min-width: 4rem; }
fieldset.plain { border: 0; padding: 0; margin: 0 0 .9rem; }
fieldset.plain legend { font-weight: 500; margin-bottom: .4rem; }
.filters, .inline { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; margin-bottom: 1rem; }
.filters .field, .inline .field { margin-bottom: 0; }
.actions { display: flex; gap: .75rem; flex-wrap: wrap; }
.hint, .muted { color: var(--muted); font-size: .9rem; }
.alert { color: var(--bad); border-left: 4px solid var(--bad); padding: .5rem .75rem; background: #ffebe9; }
.status:empty { display: none; }
.status { color: var(--ok); }
.badge { display: inline-block; padding: .1rem .6rem; border-radius: 1rem; font-size: .9rem; background: var(--bg); border: 1px solid var(--line); }
.badge.on { color: var(--ok); border-color: var(--ok); }
.badge.off { color: var(--muted); }
.badge.warn { color: var(--warn); border-color: var(--warn); background: #fff8c5; }
.warnings { padding-left: 1.25rem; color: var(--warn); }
.once { border: 2px solid var(--warn); background: #fff8c5; border-radius: 8px; padding: 1rem; margin: 1rem 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .5rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--bg); font-weight: 600; }
tr.failed td, tr.expiring td { background: #fff5f5; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; word-break: break-all; }
.facts { display: grid; grid-template-columns: 12rem 1fr; gap: .4rem 1rem; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.chips { list-style: none; display: flex; flex-wrap: wrap; gap: .4rem; margin: 0; padding: 0; }
.chips li { background: var(--bg); border: 1px solid var(--line); border-radius: 1rem; padding: 0 .6rem; font-size: .9rem; }
.pager { display: flex; gap: .75rem; margin-top: 1rem; }
.chart { margin: 0 0 1.25rem; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem; }
.chart svg { width: 100%; max-width: 40rem; height: auto; display: block; }
.chart-used { fill: var(--accent); }
.chart-free { fill: #b6d4fe; }
.chart-label, .chart-value { font-size: 14px; fill: var(--ink); }
.legend { display: inline-block; width: .9rem; height: .9rem; vertical-align: middle; margin-left: .75rem; }
.legend.used { background: var(--accent); }
.legend.free { background: #b6d4fe; }
@media (max-width: 760px) {
  .layout { grid-template-columns: 1fr; }
  nav[aria-label="Sections"] { border-right: 0; border-bottom: 1px solid var(--line); padding: .5rem 1rem; }
  .menu-toggle { display: inline-block; }
  nav[aria-label="Sections"] ul { display: none; }
  nav[aria-label="Sections"].open ul { display: block; }
  .columns { grid-template-columns: 1fr; }
  .facts { grid-template-columns: 1fr; }
  main { padding: 1rem; }
  .sign-in { margin: 1rem; padding: 1.25rem; }
}
`;
