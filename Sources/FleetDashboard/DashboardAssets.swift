/// The dashboard's stylesheet and script, served by porter-fleet itself (no CDN, no build step).
enum DashboardAssets {
    static let stylesheet = """
        :root { --fg: #1d2330; --muted: #5f6b7a; --line: #dde2ea; --bg: #f6f8fb; --card: #fff;
          --healthy: #2f9e44; --progressing: #1971c2; --degraded: #e8590c; --backoff: #c92a2a; --missing: #868e96; --completed: #7048e8; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        header.top { display: flex; gap: 1rem; align-items: baseline; padding: .8rem 1.5rem; background: #14213d; color: #fff; }
        header.top .brand { color: #fff; font-weight: 700; text-decoration: none; font-size: 1.1rem; }
        header.top .sub { color: #c5cee0; }
        main { padding: 1rem 1.5rem 3rem; max-width: 1400px; margin: 0 auto; }
        a { color: #1c5fb8; }
        h2 { font-size: 1rem; margin: 1.2rem 0 .5rem; }
        .filters { display: flex; flex-wrap: wrap; gap: .5rem; margin-bottom: 1rem; }
        .filters input, .filters select, .filters button { font: inherit; padding: .35rem .55rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
        .filters input[type=search] { min-width: 16rem; } .filters input[name=selector] { min-width: 22rem; }
        .filters button { background: #14213d; color: #fff; border-color: #14213d; cursor: pointer; }
        .summary { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; margin-bottom: 1rem; }
        dl.facts { display: flex; flex-wrap: wrap; gap: .4rem 2rem; margin: 0 0 .6rem; }
        dl.facts dt { color: var(--muted); font-size: .8rem; } dl.facts dd { margin: 0; font-weight: 600; }
        svg.bar { width: 100%; height: 14px; display: block; border-radius: 4px; background: var(--line); }
        ul.counts { list-style: none; display: flex; flex-wrap: wrap; gap: 1rem; padding: 0; margin: .5rem 0 0; color: var(--muted); }
        ul.counts li::before { content: ""; display: inline-block; width: .7em; height: .7em; border-radius: 2px; margin-right: .35em; background: var(--line); }
        .healthy { fill: var(--healthy); } ul.counts li.healthy::before { background: var(--healthy); }
        .progressing { fill: var(--progressing); } ul.counts li.progressing::before { background: var(--progressing); }
        .degraded { fill: var(--degraded); } ul.counts li.degraded::before { background: var(--degraded); }
        .backoff { fill: var(--backoff); } ul.counts li.backoff::before { background: var(--backoff); }
        .missing { fill: var(--missing); } ul.counts li.missing::before { background: var(--missing); }
        .completed { fill: var(--completed); } ul.counts li.completed::before { background: var(--completed); }
        table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
        th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #eef2f7; font-weight: 600; white-space: nowrap; } th a { color: inherit; text-decoration: none; }
        td.actual { font-family: ui-monospace, monospace; font-size: .85rem; } td.none { color: var(--muted); }
        .pill { display: inline-block; padding: 0 .5em; border-radius: 999px; font-size: .8rem; color: #fff; background: var(--missing); }
        .pill.Healthy { background: var(--healthy); } .pill.Progressing { background: var(--progressing); } .pill.Degraded { background: var(--degraded); }
        .pill.Backoff { background: var(--backoff); } .pill.Completed { background: var(--completed); }
        nav.pages { display: flex; gap: 1rem; justify-content: center; margin: .6rem 0; color: var(--muted); }
        .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; } @media (max-width: 900px) { .columns { grid-template-columns: 1fr; } }
        section.plan ul, section.events ol { list-style: none; padding: 0; margin: 0; }
        section.plan li, section.events li { padding: .3rem 0; border-bottom: 1px dashed var(--line); word-break: break-word; }
        .change { padding-left: 1.2rem; color: var(--muted); }
        section.events time { color: var(--muted); font-size: .85rem; margin-right: .3rem; } section.events li.warning b { color: var(--backoff); }
        .object { font-family: ui-monospace, monospace; font-size: .85rem; }
        .ok { color: var(--healthy); font-weight: 600; } .note { color: var(--muted); } .error { color: var(--backoff); font-weight: 600; } .waiting { color: var(--degraded); }
        svg.timeline { display: block; width: 100%; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
        svg.timeline rect.starting { fill: #a5c8f0; } svg.timeline rect.running { fill: var(--healthy); }
        svg.timeline .phase-failed rect.running { fill: var(--backoff); } svg.timeline .phase-terminated rect.running { fill: var(--missing); }
        svg.timeline .phase-succeeded rect.running { fill: var(--completed); }
        .axis { display: flex; justify-content: space-between; color: var(--muted); font-size: .8rem; margin-bottom: .6rem; }
        .phase-failed { color: var(--backoff); } .phase-running { color: var(--healthy); } .phase-terminated { color: var(--missing); }
        pre.logs { background: #101522; color: #dfe6f3; padding: .8rem; border-radius: 8px; max-height: 24rem; overflow: auto; font-size: .8rem; }
        .masked { color: var(--muted); }
        """

    /// The tab icon: three sandboxes in a row.
    static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#14213d"/>\
        <rect x="2" y="6" width="3" height="4" fill="#2f9e44"/><rect x="6.5" y="6" width="3" height="4" fill="#2f9e44"/><rect x="11" y="6" width="3" height="4" fill="#1971c2"/></svg>
        """

    /// Swaps in the page's live part when the controller reports a change (server-sent events), and
    /// submits the filter form when a choice changes. Nothing else: the page is complete without it.
    static let script = """
        "use strict";
        (() => {
          const live = document.getElementById("live");
          const source = document.body.dataset.live;
          document.querySelectorAll("form.filters select").forEach((select) => {
            select.addEventListener("change", () => select.form.submit());
          });
          if (!live || !source || !window.EventSource) return;
          let running = false, again = false;
          async function refresh() {
            if (running) { again = true; return; }
            running = true;
            try {
              const response = await fetch(source, { credentials: "same-origin", cache: "no-store" });
              if (response.ok) live.innerHTML = await response.text();
            } catch (error) {
              // The next notice or reconnect tries again.
            } finally {
              running = false;
              if (again) { again = false; refresh(); }
            }
          }
          // One connection while the page is shown: closed when it is left (a page kept in the back-forward
          // cache would otherwise hold one of the browser's few connections to this host), opened again
          // with a refresh when it is shown again.
          let updates = null;
          function listen() {
            updates = new EventSource(document.body.dataset.updates || "/api/v1/updates");
            updates.addEventListener("changed", refresh);
            updates.addEventListener("heartbeat", refresh);
            let opened = false;
            updates.addEventListener("open", () => { if (opened) refresh(); opened = true; });
          }
          window.addEventListener("pagehide", () => { if (updates) { updates.close(); updates = null; } });
          window.addEventListener("pageshow", (event) => { if (event.persisted && !updates) { listen(); refresh(); } });
          listen();
        })();
        """
}
