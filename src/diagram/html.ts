/**
 * The page: one self-contained HTML file around the SVG drawing, with a toolbar (search, zoom, fit),
 * a legend, and a small script for pan, zoom, search and neighbour highlighting. Nothing is loaded
 * from the network: styles and script are inline, and the fonts are the system's monospace.
 * The script carries no user data (it reads names from the drawing), so no user text ever lands
 * inside <script>.
 */
import type {DiagramGraph} from './graph.js'
import {FONT_STACK, SVG_STYLE, escapeXml} from './svg.js'

export interface PageOptions {
  title: string
  /** Extra markup before </body>: the watch server's reload script. */
  tail?: string
}

const PAGE_STYLE = `
*{box-sizing:border-box}
html,body{margin:0;height:100%;overflow:hidden;background:#f1f5f9;font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#0f172a}
header{position:fixed;top:0;left:0;right:0;height:48px;display:flex;align-items:center;gap:12px;padding:0 14px;background:#0f172a;color:#e2e8f0;z-index:2;box-shadow:0 1px 4px rgba(0,0,0,.25)}
header h1{font-size:15px;margin:0;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:40vw}
header .counts{font-size:12px;color:#94a3b8;white-space:nowrap}
header .spacer{flex:1}
#search-box{position:relative}
#search{width:260px;padding:6px 10px;border-radius:6px;border:1px solid #334155;background:#1e293b;color:#f8fafc;font-size:13px;outline:none}
#search:focus{border-color:#60a5fa}
#results{position:absolute;top:34px;left:0;right:0;background:#fff;color:#0f172a;border-radius:6px;box-shadow:0 6px 18px rgba(0,0,0,.2);list-style:none;margin:0;padding:4px 0;max-height:50vh;overflow:auto;display:none;font-family:${FONT_STACK};font-size:12px}
#results li{padding:5px 10px;cursor:pointer}
#results li.active,#results li:hover{background:#dbeafe}
header button{background:#1e293b;color:#e2e8f0;border:1px solid #334155;border-radius:6px;min-width:32px;height:30px;font-size:14px;cursor:pointer}
header button:hover{background:#334155}
#canvas{position:fixed;top:48px;left:0;right:0;bottom:0;cursor:grab;background-color:#f8fafc;background-image:radial-gradient(#cbd5e1 1px,transparent 1px);background-size:22px 22px}
#canvas.dragging{cursor:grabbing}
#canvas svg{width:100%;height:100%;display:block}
#legend{position:fixed;right:12px;bottom:12px;background:rgba(255,255,255,.95);border:1px solid #cbd5e1;border-radius:8px;padding:8px 12px;font-size:11.5px;line-height:1.7;z-index:2;box-shadow:0 2px 8px rgba(15,23,42,.1)}
#legend b{font-family:${FONT_STACK};font-size:10px}
#legend svg{vertical-align:middle}
#legend .sw{display:inline-block;width:11px;height:11px;border-radius:3px;vertical-align:-1px;margin-right:4px;border:2px solid}
#hint{position:fixed;left:12px;bottom:12px;font-size:11.5px;color:#64748b;z-index:2}
#banner{position:fixed;top:56px;left:50%;transform:translateX(-50%);background:#fef2f2;color:#991b1b;border:1px solid #fecaca;border-radius:8px;padding:10px 16px;font-family:${FONT_STACK};font-size:12px;white-space:pre-wrap;z-index:3;max-width:80vw}
.nd.far .cols,.nd.far .tname,.nd.far .tnote,.nd.far .notebar,.nd.far .edge .marks{display:none}
/* Zoomed out: only table names, as large as the box allows and about 13px on screen. */
.nd.far .biglabel{display:block;font-size:min(var(--max),calc(13px / var(--s,1)))}
.nd.dim .table,.nd.dim .enum,.nd.dim .edge,.nd.dim .group{opacity:.18}
.nd.dim .table.nb,.nd.dim .table.sel,.nd.dim .edge.hl{opacity:1}
.nd .table.sel>.box{stroke:#2563eb;stroke-width:3}
.nd .table.nb>.box{stroke:#60a5fa;stroke-width:2}
.nd .edge.hl path{stroke:#2563eb;stroke-width:2.4}
.nd .table.found>.box{stroke:#f59e0b;stroke-width:4}
.nd .table,.nd .enum{cursor:pointer}
`

const PAGE_SCRIPT = String.raw`
(function () {
  var svg = document.getElementById('diagram');
  var canvas = document.getElementById('canvas');
  var view = document.getElementById('viewport');
  var box = svg.viewBox.baseVal;
  var W = box.width, H = box.height;
  svg.removeAttribute('viewBox'); svg.removeAttribute('width'); svg.removeAttribute('height');
  var s = 1, tx = 0, ty = 0;
  function apply() {
    view.setAttribute('transform', 'translate(' + tx + ' ' + ty + ') scale(' + s + ')');
    svg.classList.toggle('far', s < 0.42);
    svg.style.setProperty('--s', String(s));
    try { sessionStorage.setItem('nself-diagram-view', JSON.stringify([s, tx, ty])); } catch (e) {}
  }
  function fit() {
    var r = canvas.getBoundingClientRect();
    s = Math.min(r.width / W, r.height / H, 1.2) * 0.97;
    tx = (r.width - W * s) / 2; ty = (r.height - H * s) / 2; apply();
  }
  function zoomAt(f, cx, cy) {
    var n = Math.max(0.03, Math.min(4, s * f));
    tx = cx - (cx - tx) * (n / s); ty = cy - (cy - ty) * (n / s); s = n; apply();
  }
  function centre() { var r = canvas.getBoundingClientRect(); return [r.width / 2, r.height / 2]; }
  window.nselfDiagram = {fit: fit, view: function () { return {scale: s, x: tx, y: ty}; }};
  try {
    var saved = JSON.parse(sessionStorage.getItem('nself-diagram-view') || 'null');
    if (saved && saved.length === 3) { s = saved[0]; tx = saved[1]; ty = saved[2]; apply(); } else fit();
  } catch (e) { fit(); }
  canvas.addEventListener('wheel', function (e) {
    e.preventDefault();
    var r = canvas.getBoundingClientRect();
    zoomAt(Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015)), e.clientX - r.left, e.clientY - r.top);
  }, {passive: false});
  var drag = null;
  canvas.addEventListener('pointerdown', function (e) {
    drag = {x: e.clientX, y: e.clientY, tx: tx, ty: ty, moved: false};
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', function (e) {
    if (!drag) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    drag.moved = true; canvas.classList.add('dragging');
    tx = drag.tx + dx; ty = drag.ty + dy; apply();
  });
  canvas.addEventListener('pointerup', function (e) {
    var d = drag; drag = null; canvas.classList.remove('dragging');
    if (!d || d.moved) return;
    var hit = document.elementsFromPoint(e.clientX, e.clientY);
    for (var i = 0; i < hit.length; i++) {
      var t = hit[i].closest && hit[i].closest('.table');
      if (t) { select(t); return; }
    }
    clear();
  });
  var edges = Array.prototype.slice.call(svg.querySelectorAll('.edge'));
  var tables = Array.prototype.slice.call(svg.querySelectorAll('.table'));
  function clear() {
    svg.classList.remove('dim');
    svg.querySelectorAll('.sel,.nb,.hl,.found').forEach(function (n) { n.classList.remove('sel', 'nb', 'hl', 'found'); });
  }
  function select(t) {
    var was = t.classList.contains('sel');
    clear();
    if (was) return;
    t.classList.add('sel'); svg.classList.add('dim');
    edges.forEach(function (e) {
      var a = e.getAttribute('data-from'), b = e.getAttribute('data-to');
      if (a !== t.id && b !== t.id) return;
      e.classList.add('hl');
      [a, b].forEach(function (id) { var n = document.getElementById(id); if (n && n !== t) n.classList.add('nb'); });
    });
  }
  function focusTable(t) {
    var b = t.getBBox(), m = t.transform.baseVal.consolidate().matrix;
    var r = canvas.getBoundingClientRect();
    s = Math.max(s, Math.min(1.1, r.width / (b.width + 200), r.height / (b.height + 160)));
    tx = r.width / 2 - (m.e + b.width / 2) * s; ty = r.height / 2 - (m.f + b.height / 2) * s; apply();
    select(t); t.classList.add('found');
  }
  var input = document.getElementById('search'), list = document.getElementById('results'), active = 0, hits = [];
  function render() {
    var q = input.value.trim().toLowerCase();
    list.innerHTML = '';
    hits = !q ? [] : tables.filter(function (t) { return t.getAttribute('data-name').toLowerCase().indexOf(q) >= 0; })
      .sort(function (a, b) {
        var x = a.getAttribute('data-name').toLowerCase(), y = b.getAttribute('data-name').toLowerCase();
        return (y === q) - (x === q) || (y.indexOf(q) === 0) - (x.indexOf(q) === 0) || x.length - y.length || (x < y ? -1 : 1);
      }).slice(0, 12);
    active = 0;
    hits.forEach(function (t, i) {
      var li = document.createElement('li');
      li.textContent = t.getAttribute('data-name');
      if (i === 0) li.className = 'active';
      li.addEventListener('mousedown', function (e) { e.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    list.style.display = hits.length ? 'block' : 'none';
  }
  function choose(i) { if (hits[i]) { focusTable(hits[i]); list.style.display = 'none'; } }
  input.addEventListener('input', render);
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') { choose(active); e.preventDefault(); }
    else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = Math.max(0, Math.min(hits.length - 1, active + (e.key === 'ArrowDown' ? 1 : -1)));
      Array.prototype.forEach.call(list.children, function (li, i) { li.className = i === active ? 'active' : ''; });
    } else if (e.key === 'Escape') { input.value = ''; render(); input.blur(); clear(); }
  });
  input.addEventListener('blur', function () { list.style.display = 'none'; });
  document.addEventListener('keydown', function (e) {
    if (e.target === input) return;
    if (e.key === '/') { e.preventDefault(); input.focus(); input.select(); }
    else if (e.key === 'Escape') clear();
    else if (e.key === '+' || e.key === '=') zoomAt(1.25, centre()[0], centre()[1]);
    else if (e.key === '-') zoomAt(0.8, centre()[0], centre()[1]);
    else if (e.key === '0') fit();
  });
  document.getElementById('zoom-in').onclick = function () { zoomAt(1.25, centre()[0], centre()[1]); };
  document.getElementById('zoom-out').onclick = function () { zoomAt(0.8, centre()[0], centre()[1]); };
  document.getElementById('fit').onclick = fit;
  window.addEventListener('resize', function () { apply(); });
})();
`

const LEGEND_MARKS = `<svg width="34" height="14"><path d="M2 7H32M2 1L14 7L2 13" stroke="#64748b" fill="none" stroke-width="1.4"/></svg> many
<svg width="34" height="14"><path d="M2 7H32M26 1V13M21 1V13" stroke="#64748b" fill="none" stroke-width="1.4"/></svg> one
<svg width="34" height="14"><path d="M2 7H32M28 1V13" stroke="#64748b" fill="none" stroke-width="1.4"/><circle cx="20" cy="7" r="3.5" fill="#fff" stroke="#64748b" stroke-width="1.4"/></svg> zero or one`

function legend(graph: DiagramGraph): string {
  const rows = [
    `<div><b style="color:#b45309">PK</b> primary key · <b style="color:#2563eb">FK</b> foreign key · <b style="color:#7c3aed">UQ</b> unique · <b>type?</b> nullable · <b>*</b> has a note</div>`,
    `<div>${LEGEND_MARKS}</div>`,
  ]
  if (graph.diff) {
    rows.push(
      `<div>${escapeXml(graph.diff.title)}: <span class="sw" style="border-color:#16a34a;background:#dcfce7"></span>added <span class="sw" style="border-color:#d97706;background:#fef3c7"></span>changed <span class="sw" style="border-color:#dc2626;background:#fee2e2"></span>dropped</div>`,
    )
  }
  return `<div id="legend">${rows.join('')}</div>`
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

export function renderPage(graph: DiagramGraph, svg: string, options: PageOptions): string {
  const counts = `${plural(graph.tables.length, 'table')} · ${plural(graph.edges.length, 'reference')} · ${plural(graph.enums.length, 'enum')}`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; connect-src 'self'">
<title>${escapeXml(options.title)}</title>
<style>${SVG_STYLE}${PAGE_STYLE}</style>
</head>
<body>
<header><h1>${escapeXml(options.title)}</h1><span class="counts">${counts}</span><span class="spacer"></span>
<div id="search-box"><input id="search" type="search" placeholder="Search tables  ( / )" autocomplete="off" spellcheck="false"><ul id="results"></ul></div>
<button id="zoom-out" title="Zoom out (-)">−</button><button id="zoom-in" title="Zoom in (+)">+</button><button id="fit" title="Fit to screen (0)">Fit</button></header>
<div id="canvas">
${svg}
</div>
${legend(graph)}
<div id="hint">drag to pan · wheel to zoom · click a table for its neighbours</div>
<script>${PAGE_SCRIPT}</script>
${options.tail ?? ''}
</body>
</html>
`
}
