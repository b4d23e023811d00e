/**
 * The page's only stylesheet, inlined: no CDN, no web font (system fonts), so the page works
 * on a closed network. Colours meet WCAG AA (4.5:1 for text) in both schemes; the dark
 * scheme follows prefers-color-scheme.
 */
export const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#4d5561;--card:#f6f8fa;--line:#d0d7de;
--ok:#136c2e;--warn:#7a4b00;--bad:#b3261e;--maint:#1d4ed8;--none:#57606a;
--d0:#c7ced6;--d1:#2da44e;--d2:#8ac926;--d3:#e3b341;--d4:#f0883e;--d5:#d1242f}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#a3acb7;--card:#161b22;--line:#30363d;
--ok:#57d37c;--warn:#e3b341;--bad:#ff7b72;--maint:#79a8ff;--none:#a3acb7;--d0:#3a424c}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.wrap{max-width:56rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.75rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:2rem 0 .75rem}h3{font-size:1.05rem;margin:0}
p{margin:.25rem 0}.muted{color:var(--muted)}
a{color:var(--maint)}
.banner{border-radius:.5rem;padding:1rem 1.25rem;margin:1.5rem 0;color:#fff;background:#136c2e}
.banner h2{margin:0;font-size:1.3rem}.banner p{color:#fff}
.banner.major_outage,.banner.partial_outage{background:#b3261e}.banner.degraded{background:#8a5300}
.banner.maintenance{background:#1d4ed8}.banner.unknown{background:#4b5563}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:.75rem 0}
ul.components{list-style:none;margin:0;padding:0}
.component{padding:.75rem 0;border-top:1px solid var(--line)}.component:first-child{border-top:0}
.row{display:flex;justify-content:space-between;gap:1rem;align-items:baseline;flex-wrap:wrap}
.name{font-weight:600}
.st{font-weight:600}.st.Up{color:var(--ok)}.st.Down{color:var(--bad)}.st.Degraded{color:var(--warn)}
.st.Maintenance{color:var(--maint)}.st.Pending,.st.Unknown,.st.Paused{color:var(--none)}
.bar{display:flex;gap:2px;height:2rem;margin:.5rem 0 .25rem}
.bar i{flex:1;border-radius:2px;background:var(--d0);min-width:1px}
.bar i.u1{background:var(--d1)}.bar i.u2{background:var(--d2)}.bar i.u3{background:var(--d3)}.bar i.u4{background:var(--d4)}.bar i.u5{background:var(--d5)}
.legend{display:flex;justify-content:space-between;font-size:.85rem;color:var(--muted)}
ol.timeline{list-style:none;margin:.5rem 0 0;padding:0}
ol.timeline li{border-left:3px solid var(--line);padding:.25rem 0 .5rem .75rem}
.tag{font-size:.8rem;font-weight:600;text-transform:uppercase;letter-spacing:.03em}
form.login{max-width:22rem}label{display:block;font-weight:600;margin:.5rem 0 .25rem}
input[type=password]{width:100%;padding:.5rem;font:inherit;border:1px solid var(--muted);border-radius:.375rem;background:var(--bg);color:var(--fg)}
button{margin-top:.75rem;padding:.5rem 1rem;font:inherit;font-weight:600;border:0;border-radius:.375rem;background:#1d4ed8;color:#fff;cursor:pointer}
.error{color:var(--bad);font-weight:600}
footer{margin-top:3rem;font-size:.9rem;color:var(--muted)}
@media (max-width:40rem){.wrap{padding:1rem .75rem}.bar{gap:1px;height:1.75rem}h1{font-size:1.4rem}}
`.replace(/\n/g, '');
