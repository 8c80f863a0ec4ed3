/// The page shell of the browser UI. Everything is same-origin and inline-free so the strict CSP holds.
enum PageShell {
    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>NEURAL TERMINAL</title>
        <link rel="stylesheet" href="/assets/app.css">
        <script src="/assets/app.js" defer></script>
        </head>
        <body>
        <header class="bar"><span class="brand">NEURAL TERMINAL</span><span id="status" class="status">CONNECTING…</span></header>
        <main id="main" class="screen">
        <p class="line">&gt; SYSTEM ONLINE. THE CHAT ENGINE IS BEING WIRED IN.<span class="cursor" aria-hidden="true"></span></p>
        </main>
        <footer class="bar"><span id="version" class="muted"></span></footer>
        </body>
        </html>
        """

    static let css = """
        :root { --bg: #0a0a0f; --fg: #00ff41; --amber: #ffb000; --red: #ff4444; --rule: #333; }
        * { box-sizing: border-box; }
        html, body { margin: 0; height: 100%; background: var(--bg); color: var(--fg);
          font-family: "JetBrains Mono", "Fira Code", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 15px; }
        body { display: flex; flex-direction: column; }
        .bar { display: flex; justify-content: space-between; padding: .5rem 1rem; border-bottom: 1px solid var(--rule);
          text-transform: uppercase; letter-spacing: .12em; font-size: .8rem; }
        footer.bar { border-top: 1px solid var(--rule); border-bottom: 0; }
        .brand { font-weight: 700; }
        .status.error { color: var(--red); }
        .muted { color: #7a7a7a; }
        .screen { flex: 1; padding: 1rem; overflow: auto; }
        .cursor { display: inline-block; width: .6em; height: 1.1em; margin-left: .2em; background: var(--fg);
          vertical-align: text-bottom; animation: blink 1s steps(1) infinite; }
        @keyframes blink { 50% { opacity: 0; } }
        """

    static let js = """
        "use strict";
        (async () => {
          const status = document.getElementById("status");
          const version = document.getElementById("version");
          try {
            const res = await fetch("/api/version", { headers: { "Accept": "application/json" } });
            if (!res.ok) throw new Error("HTTP " + res.status);
            const v = await res.json();
            status.textContent = "ONLINE";
            version.textContent = v.name + " " + v.version + " (" + v.commit + ")";
          } catch (e) {
            status.textContent = "OFFLINE: " + e.message;
            status.classList.add("error");
          }
        })();
        """
}
