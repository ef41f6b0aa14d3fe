using System.CommandLine;
using Reelay.Cli.Output;
using Reelay.Client;

namespace Reelay.Cli.Commands;

/// <summary>`reelay assets check`: the troubleshooting guide's `curl -I`, with the server's own verdict.</summary>
public static class AssetsCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("url-or-file") { Description = "An https/data/runway URI, or a local file (uploaded first)" };
        var kind = new Option<string>("--kind") { Description = "image, video or audio", DefaultValueFactory = _ => "image" };
        var model = new Option<string?>("--model") { Description = "Check against this model's aspect-ratio bounds" };
        var check = new Command("check", "Run the server's asset checks on a URL or file and print every check") { target, kind, model };
        check.Action(async (parse, console, ct) =>
        {
            using var client = Cli.Client(parse);
            var source = parse.GetValue(target)!;
            var uri = File.Exists(source) ? await client.UploadFileAsync(source, cancellationToken: ct) : source;
            var assetKind = parse.GetValue(kind) switch
            {
                "image" => AssetKind.Image,
                "video" => AssetKind.Video,
                "audio" => AssetKind.Audio,
                var other => throw new ArgumentException($"--kind must be image, video or audio, not '{other}'."),
            };
            var report = await client.CheckAssetAsync(new AssetCheckRequest { Uri = uri, Kind = assetKind, Model = parse.GetValue(model) }, cancellationToken: ct);
            if (console.Json) console.WriteJson(report);
            else
            {
                console.Table(["check", "result", "detail"], report.Checks.Select(c => (IReadOnlyList<string>)[c.Name, c.Passed ? "pass" : "FAIL", c.Detail ?? ""]));
                var o = report.Observed;
                var observed = new List<string>();
                if (o.Status is { } status) observed.Add($"status {status}");
                if (o.ContentType is { } type) observed.Add($"content-type {type}");
                if (o.ContentLength is { } length) observed.Add($"content-length {length}");
                if (o.BytesRead is { } read) observed.Add($"read {read} bytes");
                if (o.Width is { } w && o.Height is { } h) observed.Add($"{w}x{h} (ratio {o.Ratio})");
                if (o.DurationSeconds is { } d) observed.Add($"{d:0.###} s");
                if (observed.Count > 0) console.Line("observed: " + string.Join(", ", observed));
                console.Line($"verdict: {report.Verdict} in {report.ElapsedMs} ms");
                if (report.Reason is not null) console.Line($"reason: {report.Reason}");
            }
            return report.Verdict == "accepted" ? ExitCodes.Success : ExitCodes.RequestRejected;
        });
        return new Command("assets", "Check assets before using them") { check };
    }
}
