// Preview render benchmark (bench/render/run.sh). Times the preview engine's renderers in-process, as a worker runs
// them, against bare ffmpeg running the very argument list the renderer builds (PreviewRenderer.BuildArguments),
// measured in the same run: a 5 s 1280×720 MP4 (text-to-video and image-to-video; goal ≤ 1.2× bare ffmpeg), image
// renders per format (goal ≤ 100 ms an image; against the ffmpeg process per still they replaced) and speech (render time / audio duration; goal ≤ 0.2).
using System.Diagnostics;
using System.Globalization;
using Reelay.Bench.Render;
using Reelay.Server.Features.Engines.Preview;

var smoke = args.Contains("--smoke");
var repeats = smoke ? 1 : int.Parse(args.FirstOrDefault(a => a.StartsWith("repeats=", StringComparison.Ordinal))?[8..] ?? "5", CultureInfo.InvariantCulture);
var (width, height, seconds) = smoke ? (320, 180, 1.0) : (1280, 720, 5.0);
var root = Directory.CreateTempSubdirectory("reelay-bench-render").FullName;
try
{
    var font = PreviewRenderer.FindFontFile();
    var image = Path.Combine(root, "input.png");
    await Bare.RunAsync(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=s={width}x{height}:d=1", "-frames:v", "1", image]);
    Console.WriteLine($"Reelay preview render benchmark: {Environment.ProcessorCount} CPUs, {await Bare.VersionAsync()}, median of {repeats} (after one warm-up)");
    Console.WriteLine($"font: {font ?? "none (no text drawn)"}; load: {File.ReadAllText("/proc/loadavg").Trim()}");
    Console.WriteLine();

    var header = $"{"render",-44} {"renderer ms",12} {"bare ffmpeg ms",15} {"ratio",7}  goal";
    Console.WriteLine(header);
    Console.WriteLine(new string('-', header.Length));
    var videos = new (string Name, PreviewRenderRequest Request)[]
    {
        ($"text-to-video {width}x{height} {seconds:0.#} s mp4", new(width, height, seconds, 7, null, "A lighthouse at dusk, waves below", Path.Combine(root, "t.mp4"))),
        ($"image-to-video {width}x{height} {seconds:0.#} s mp4", new(width, height, seconds, 7, image, null, Path.Combine(root, "i.mp4"))),
        ($"text-to-video {width}x{height} {seconds:0.#} s mp4 + audio", new(width, height, seconds, 7, null, "A lighthouse at dusk", Path.Combine(root, "a.mp4")) { Audio = true }),
    };
    foreach (var (name, request) in videos)
    {
        var renderer = await Timing.MedianAsync(repeats, () => PreviewRenderer.RenderAsync(request, _ => { }, font, CancellationToken.None));
        var bare = await Timing.MedianAsync(repeats, () => Bare.RenderLikeAsync(request, font, root));
        Console.WriteLine($"{name,-44} {renderer,12:0} {bare,15:0} {renderer / bare,7:0.00}  ≤ 1.20");
    }

    Console.WriteLine();
    // Stills are drawn in-process now; the baseline is the ffmpeg process per still that they replaced (FfmpegStill).
    Console.WriteLine($"{"image render (one still)",-44} {"renderer ms",12} {"ffmpeg still ms",15} {"ratio",7}  goal      {"renderer CPU ms",15}");
    foreach (var (w, h) in smoke ? new[] { (320, 180) } : [(1280, 720), (1920, 1080), (1024, 1024)])
        foreach (var format in new[] { "png", "jpeg", "webp" })
        {
            var output = Path.Combine(root, $"still.{format}");
            var request = new ImageRenderRequest(w, h, 11, "A red fox in the snow", [output], format);
            var (ms, cpu) = await Timing.MedianWithCpuAsync(repeats, () => ImageRenderer.RenderAsync(request, _ => { }, CancellationToken.None));
            var bare = await Timing.MedianAsync(repeats, () => FfmpegStill.RenderAsync(request, font, root));
            Console.WriteLine($"{$"{w}x{h} {format}",-44} {ms,12:0} {bare,15:0} {ms / bare,7:0.00}  ≤ 100 ms  {cpu,15:0}");
        }

    var startup = await Timing.MedianAsync(repeats, () => Bare.RunAsync(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "nullsrc=s=16x16:d=0.04", "-frames:v", "1", "-f", "null", "-"]));
    Console.WriteLine($"{"(ffmpeg start-up alone: a 16x16 null frame)",-44} {"",12} {startup,15:0}");
    Console.WriteLine();
    Console.WriteLine($"{"speech",-44} {"render ms",12} {"audio ms",15} {"ratio",7}  goal");
    var texts = smoke ? new[] { "Hello there." }
        : ["Hello there.", "The quick brown fox jumps over the lazy dog, and then it runs far away into the quiet forest before the sun goes down."];
    foreach (var text in texts)
        foreach (var format in new[] { "mp3", "wav" })
        {
            var output = Path.Combine(root, $"speech.{format}");
            var request = new AudioRenderRequest(AudioRenderKind.Speech, output, format, 44100, 5, 3) { Text = text, Voice = "Maya" };
            var ms = await Timing.MedianAsync(repeats, () => PreviewAudioRenderer.RenderAsync(request, _ => { }, CancellationToken.None));
            var audio = await Bare.DurationMsAsync(output);
            Console.WriteLine($"{$"{text.Split(' ').Length} words, {format} 44.1 kHz",-44} {ms,12:0} {audio,15:0} {ms / audio,7:0.00}  ≤ 0.20");
        }
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"benchmark failed: {e}");
    return 1;
}
finally
{
    try { Directory.Delete(root, recursive: true); } catch (IOException) { }
}
