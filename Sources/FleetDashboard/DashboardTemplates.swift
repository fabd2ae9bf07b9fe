import Mustache

/// The dashboard's pages as Mustache templates (`{{…}}` escapes HTML; nothing is ever rendered
/// unescaped). Each page's live part is a partial of its own, served alone at `/partials/…` for the
/// script to swap in when the fleet changes.
enum DashboardTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [("fleet", fleet), ("fleetLive", fleetLive), ("sandbox", sandbox), ("sandboxLive", sandboxLive)] {
            // The templates are constants of this file; a test renders each of them.
            if let template = try? MustacheTemplate(string: text) { library.register(template, named: name) }
        }
        return library
    }()

    static let head = """
        <meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="/assets/icon.svg"><link rel="stylesheet" href="/assets/dashboard.css"><script src="/assets/dashboard.js" defer></script>
        """

    static let fleet = """
        <!doctype html>
        <html lang="en"><head>\(head)<title>porter-fleet · {{page.header.fleetID}}</title></head>
        <body data-live="/partials/fleet{{query}}" data-updates="{{page.updates}}">
        <header class="top"><a class="brand" href="/">porter-fleet</a><span class="sub">fleet {{page.header.fleetID}}</span></header>
        <main>
        <form class="filters" method="get" action="/">
        <input type="search" name="q" value="{{page.filterText}}" placeholder="name, owner or message" aria-label="text filter">
        <select name="health" aria-label="health filter">{{#page.healthOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/page.healthOptions}}</select>
        <input type="text" name="selector" value="{{page.filterSelector}}" placeholder="label selector: team=ml,tier in (web,api)" aria-label="label selector">
        <button type="submit">Filter</button>
        </form>
        <div id="live">{{> fleetLive}}</div>
        </main></body></html>
        """

    static let fleetLive = """
        <section class="summary">
        <dl class="facts"><div><dt>fleet</dt><dd>{{page.header.fleetID}}</dd></div><div><dt>store</dt><dd>{{page.header.engine}} · {{page.header.location}}</dd></div><div><dt>controller</dt><dd>{{page.header.role}}</dd></div><div><dt>last pass</dt><dd>{{page.header.lastPass}}</dd></div></dl>
        <svg class="bar" viewBox="0 0 100 4" preserveAspectRatio="none" role="img" aria-label="logical sandboxes by health">{{#page.header.bar}}<rect class="{{cssClass}}" x="{{x}}" y="0" width="{{width}}" height="4"><title>{{title}}</title></rect>{{/page.header.bar}}</svg>
        <ul class="counts">{{#page.header.health}}<li class="{{cssClass}}">{{count}} {{label}}</li>{{/page.header.health}}{{#page.header.sync}}<li class="{{cssClass}}">{{count}} {{label}}</li>{{/page.header.sync}}<li>{{page.header.total}} logical sandboxes</li></ul>
        </section>
        {{#page.selectorError}}<p class="error">label selector not applied: {{page.selectorError}}</p>{{/page.selectorError}}
        <table class="fleet"><thead><tr>{{#page.columns}}<th><a href="{{link}}">{{label}} {{marker}}</a></th>{{/page.columns}}<th>actual name</th><th>message</th></tr></thead>
        <tbody>{{#page.rows}}<tr data-name="{{name}}"><td><a href="{{link}}">{{name}}</a></td><td>{{owner}}</td><td>{{sync}}</td><td><span class="pill {{health}}">{{health}}</span></td><td>{{phase}}</td><td>{{generation}}</td><td>{{age}}</td><td class="actual">{{actualName}}</td><td>{{message}}</td></tr>{{/page.rows}}
        {{^page.rows}}<tr><td colspan="9" class="none">no logical sandbox matches</td></tr>{{/page.rows}}</tbody></table>
        <nav class="pages">{{#page.previousPage}}<a href="{{page.previousPage}}">← previous</a>{{/page.previousPage}}<span>page {{page.page}} of {{page.pages}} · {{page.matched}} matching</span>{{#page.nextPage}}<a href="{{page.nextPage}}">next →</a>{{/page.nextPage}}</nav>
        <div class="columns">
        <section class="plan"><h2>Next pass</h2>
        {{#page.plan.available}}{{#page.plan.inSync}}<p class="ok">in sync: nothing to do</p>{{/page.plan.inSync}}
        <ul>{{#page.plan.actions}}<li><code>{{summary}}</code>{{#changes}}<div class="change"><code>{{.}}</code></div>{{/changes}}</li>{{/page.plan.actions}}{{#page.plan.waiting}}<li class="waiting">waiting: {{.}}</li>{{/page.plan.waiting}}</ul>{{/page.plan.available}}
        {{^page.plan.available}}<p class="note">{{page.plan.note}}</p>{{/page.plan.available}}
        </section>
        <section class="events"><h2>Events</h2><ol>{{#page.events}}<li{{#warning}} class="warning"{{/warning}}><time>{{ago}}</time> <b>{{reason}}</b> <span class="object">{{object}}</span> {{message}} {{times}}</li>{{/page.events}}{{^page.events}}<li class="none">no events yet</li>{{/page.events}}</ol></section>
        </div>
        """

    static let sandbox = """
        <!doctype html>
        <html lang="en"><head>\(head)<title>porter-fleet · {{page.name}}</title></head>
        <body data-live="/partials/sandbox/{{path}}" data-updates="{{page.updates}}">
        <header class="top"><a class="brand" href="/">porter-fleet</a><span class="sub">logical sandbox {{page.name}}</span></header>
        <main><div id="live">{{> sandboxLive}}</div></main></body></html>
        """

    static let sandboxLive = """
        {{^page.found}}<p class="error">no logical sandbox {{page.name}} in this store</p>{{/page.found}}
        {{#page.row}}<dl class="facts"><div><dt>owner</dt><dd>{{owner}}</dd></div><div><dt>sync</dt><dd>{{sync}}</dd></div><div><dt>health</dt><dd><span class="pill {{health}}">{{health}}</span></dd></div><div><dt>phase</dt><dd>{{phase}}</dd></div><div><dt>generation</dt><dd>{{generation}} · {{actualName}}</dd></div><div><dt>message</dt><dd>{{message}}</dd></div></dl>{{/page.row}}
        <dl class="facts"><div><dt>image</dt><dd class="image">{{page.image}}</dd></div><div><dt>tags</dt><dd class="tags">{{#page.tags}}<code>{{.}}</code> {{/page.tags}}</dd></div></dl>
        <section><h2>Generations, last 24 hours</h2>
        <svg class="timeline" viewBox="0 0 100 {{page.timelineHeight}}" height="{{page.timelineHeight}}" preserveAspectRatio="none" role="img" aria-label="generations over the last 24 hours">{{#page.timeline}}<g class="{{cssClass}}"><rect class="starting" x="{{startX}}" y="{{y}}" width="{{startWidth}}" height="16"><title>{{label}} (starting)</title></rect><rect class="running" x="{{runX}}" y="{{y}}" width="{{runWidth}}" height="16"><title>{{label}}</title></rect></g>{{/page.timeline}}</svg>
        <div class="axis"><span>24 h ago</span><span>12 h ago</span><span>now</span></div>
        <table class="generations"><thead><tr><th>generation</th><th>actual name</th><th>phase</th><th>created because</th><th>ended</th></tr></thead>
        <tbody>{{#page.generations}}<tr><td>{{generation}}</td><td>{{actualName}}</td><td><span class="phase-{{phase}}">{{phase}}</span></td><td>{{createdBecause}}</td><td>{{ended}}</td></tr>{{/page.generations}}</tbody></table>
        </section>
        <div class="columns">
        <section class="events"><h2>Events</h2><ol>{{#page.events}}<li{{#warning}} class="warning"{{/warning}}><time>{{ago}}</time> <b>{{reason}}</b> {{message}} {{times}}</li>{{/page.events}}{{^page.events}}<li class="none">no events in the last 24 hours</li>{{/page.events}}</ol></section>
        <section><h2>Environment</h2>{{#page.environmentKeys}}<div><code>{{.}}</code> = <span class="masked">••••••</span></div>{{/page.environmentKeys}}{{^page.environmentKeys}}<p class="note">none declared</p>{{/page.environmentKeys}}
        <h2>Logs</h2>{{#page.logsEnabled}}<pre class="logs">{{#page.logs}}{{.}}
        {{/page.logs}}</pre>{{/page.logsEnabled}}<p class="note">{{page.logsNote}}</p></section>
        </div>
        """
}
