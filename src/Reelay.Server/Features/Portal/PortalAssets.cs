using System.Security.Cryptography;
using System.Text;

namespace Reelay.Server.Features.Portal;

/// <summary>
/// The portal's only static files, compiled in: nothing comes from a CDN, nothing depends on the
/// content root, and the Content-Security-Policy can forbid every inline script and style.
/// </summary>
public static class PortalAssets
{
    public const string Css =
        """
        :root{--fg:#1d1d1f;--muted:#6b6b70;--line:#dcdce0;--bg:#fafafa;--accent:#2f5bd3;--bad:#b3261e;--warn:#8a5a00;--ok:#1d7a36}
        *{box-sizing:border-box}
        body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
        header{display:flex;gap:1.5rem;align-items:center;padding:.6rem 1.5rem;background:#fff;border-bottom:1px solid var(--line);flex-wrap:wrap}
        header .brand{font-weight:700;color:var(--fg);text-decoration:none}
        nav{display:flex;gap:1rem;flex-wrap:wrap}
        nav a{color:var(--muted);text-decoration:none;padding:.2rem 0}
        nav a[aria-current=page]{color:var(--fg);border-bottom:2px solid var(--accent)}
        .who{margin-left:auto;display:flex;gap:.8rem;align-items:center;color:var(--muted)}
        .who form{margin:0}
        main{max-width:1200px;margin:1.5rem auto;padding:0 1.5rem}
        h1{font-size:1.4rem;margin:.2rem 0 1rem}
        h2{font-size:1.1rem;margin:1.6rem 0 .6rem}
        a{color:var(--accent)}
        table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line)}
        th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
        th{background:#f3f3f5;font-weight:600}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
        pre{background:#fff;border:1px solid var(--line);padding:.8rem;overflow:auto;max-height:32rem;white-space:pre-wrap;word-break:break-all}
        .muted{color:var(--muted)}
        .status{display:inline-block;min-width:2.6rem;text-align:center;border-radius:3px;padding:0 .3rem;font-weight:600}
        .s2{background:#e3f3e7;color:var(--ok)}.s3{background:#eef;color:var(--accent)}.s4{background:#fdf0dc;color:var(--warn)}.s5{background:#fbe4e2;color:var(--bad)}
        form.filters{display:flex;gap:.8rem;flex-wrap:wrap;align-items:end;margin-bottom:1rem;background:#fff;border:1px solid var(--line);padding:.8rem}
        form.filters label{display:flex;flex-direction:column;gap:.2rem;color:var(--muted);font-size:12px}
        form.filters label.check{flex-direction:row;align-items:center;font-size:14px;color:var(--fg)}
        input,select,textarea,button{font:inherit}
        input[type=text],input[type=datetime-local],select,textarea{padding:.3rem .4rem;border:1px solid var(--line);border-radius:3px;background:#fff}
        textarea{width:100%;min-height:5rem}
        button{padding:.35rem .8rem;border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:3px;cursor:pointer}
        button.secondary{background:#fff;color:var(--accent)}
        button.danger{background:#fff;color:var(--bad);border-color:var(--bad)}
        button.link{background:none;border:none;color:var(--accent);padding:0;text-decoration:underline}
        .pager{display:flex;gap:1rem;margin:1rem 0}
        .notice{background:#fff;border:1px solid var(--line);border-left:4px solid var(--accent);padding:.8rem 1rem;margin:1rem 0}
        .notice.bad{border-left-color:var(--bad)}.notice.good{border-left-color:var(--ok)}
        .secret{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}
        .secret code{background:#fff;border:1px solid var(--line);padding:.3rem .5rem;word-break:break-all;max-width:100%}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1.2rem;background:#fff;border:1px solid var(--line);padding:.8rem 1rem}
        dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
        ul.issues{background:#fff;border:1px solid var(--line);padding:.6rem 1rem .6rem 2rem}
        ul.issues li{margin:.2rem 0}
        .error-message{font-weight:600}
        .inline{display:inline;margin:0}
        video{max-width:100%;background:#000;display:block;margin:1rem 0}
        .chart{background:#fff;border:1px solid var(--line);padding:.5rem}
        .chart svg{width:100%;height:auto;display:block}
        .signin{max-width:28rem;margin:4rem auto;background:#fff;border:1px solid var(--line);padding:1.5rem}
        .signin input{width:100%;margin:.4rem 0 1rem}
        .pass{color:var(--ok);font-weight:600}.fail{color:var(--bad);font-weight:600}
        """;

    /// <summary>Progressive enhancement only: every page works without it.</summary>
    public const string Js =
        """
        // Copy buttons: <button data-copy="element-id">. Falls back to selecting the text.
        document.addEventListener('click', async (event) => {
          const button = event.target.closest('button[data-copy]');
          if (!button) return;
          const source = document.getElementById(button.dataset.copy);
          if (!source) return;
          const text = source.textContent.trim();
          try {
            await navigator.clipboard.writeText(text);
            button.textContent = 'Copied';
          } catch {
            const range = document.createRange();
            range.selectNodeContents(source);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            button.textContent = 'Selected: press Ctrl+C';
          }
        });
        // Forms marked data-confirm ask first (disabling a key cannot be undone).
        document.addEventListener('submit', (event) => {
          const message = event.target.dataset.confirm;
          if (message && !window.confirm(message)) event.preventDefault();
        });
        """;

    private static readonly Dictionary<string, (string ContentType, byte[] Bytes, string ETag)> Files = new()
    {
        ["portal.css"] = Entry("text/css; charset=utf-8", Css),
        ["portal.js"] = Entry("text/javascript; charset=utf-8", Js),
    };

    private static (string, byte[], string) Entry(string contentType, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return (contentType, bytes, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");
    }

    public static IResult Serve(HttpContext http, string name)
    {
        if (!Files.TryGetValue(name, out var file)) return Results.NotFound();
        http.Response.Headers.CacheControl = "public, max-age=3600";
        http.Response.Headers.ETag = file.ETag;
        if (http.Request.Headers.IfNoneMatch == file.ETag) return Results.StatusCode(304);
        return Results.Bytes(file.Bytes, file.ContentType);
    }
}
