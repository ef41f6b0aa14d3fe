using Reelay.Server.Features.Engines.Preview;

namespace Reelay.Tests.Engines;

/// <summary>Word-wrapping of the prompt drawn over text-to-video; nothing is rendered.</summary>
public sealed class PreviewRendererTextTests
{
    [Fact]
    public void Long_prompts_wrap_to_at_most_eight_lines_of_the_estimated_width_ending_with_an_ellipsis()
    {
        var prompt = string.Join(' ', Enumerable.Repeat("a cinematic shot of a lighthouse at dusk", 40)) + " " + new string('x', 100);

        var lines = PreviewRenderer.WrapPrompt(prompt, 30, 8);

        Assert.Equal(8, lines.Count);
        Assert.All(lines, line => Assert.InRange(PreviewRenderer.DisplayWidth(line), 1, 30));
        Assert.EndsWith("\u2026", lines[^1]);
    }

    [Fact]
    public void Wrapping_keeps_newlines_breaks_long_words_and_never_splits_emoji()
    {
        var lines = PreviewRenderer.WrapPrompt("first\r\n\r\nsecond line\u0007 " + new string('y', 25) + " 🐱‍👤🐱‍👤🐱‍👤🐱‍👤🐱‍👤🐱‍👤", 10, 8);

        Assert.Equal(["first", "second", "line", "yyyyyyyyyy", "yyyyyyyyyy", "yyyyy", "🐱‍👤🐱‍👤🐱‍👤🐱‍👤🐱‍👤", "🐱‍👤"], lines);
    }
}
