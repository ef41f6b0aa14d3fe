using System.Globalization;
using System.Text;

namespace Reelay.Server.Features.Engines.Preview;

// The prompt as drawn over text-to-video: the font, its size for the frame, and word-wrapping by display width.
public static partial class PreviewRenderer
{
    private static readonly string[] FontCandidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", // Debian / Ubuntu
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",          // Alpine, Fedora
        "/usr/share/fonts/TTF/DejaVuSans.ttf",             // Arch
        "/usr/local/share/fonts/dejavu/DejaVuSans.ttf",    // FreeBSD
    ];

    /// <summary>The first DejaVu Sans found in the usual places, or null (then text is not drawn).</summary>
    internal static string? FindFontFile() => FontCandidates.FirstOrDefault(File.Exists);

    internal readonly record struct TextLayout(int FontSize, int LineSpacing, int BoxBorder, int CharsPerLine, int MaxLines);

    /// <summary>Font size and wrap width for a frame, from an estimated average glyph width of 0.6 em.</summary>
    internal static TextLayout ComputeTextLayout(int width, int height)
    {
        var fontSize = Math.Clamp((int)Math.Round(Math.Min(width, height) / 18.0), 8, 160);
        var lineSpacing = Math.Max(1, fontSize / 4);
        var boxBorder = Math.Max(2, fontSize / 2);
        var charsPerLine = Math.Max(4, (int)((width * 0.88 - 2 * boxBorder) / (fontSize * 0.6)));
        var maxLines = Math.Clamp((int)((height * 0.9 - 2 * boxBorder) / (fontSize + lineSpacing)), 1, MaxTextLines);
        return new TextLayout(fontSize, lineSpacing, boxBorder, charsPerLine, maxLines);
    }

    /// <summary>
    /// Word-wraps <paramref name="text"/> to at most <paramref name="charsPerLine"/> columns (wide CJK/emoji count
    /// as two) and <paramref name="maxLines"/> lines, ending with an ellipsis when cut. Control characters are
    /// dropped, newlines start a new line, blank lines are removed, over-long words are broken.
    /// </summary>
    internal static IReadOnlyList<string> WrapPrompt(string? text, int charsPerLine, int maxLines)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(charsPerLine, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLines, 1);
        var lines = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return lines;
        }

        var truncated = false;
        foreach (var paragraph in Sanitize(text).Split('\n'))
        {
            var line = new StringBuilder();
            var lineWidth = 0;
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (var piece in BreakLongWord(word, charsPerLine))
                {
                    var pieceWidth = DisplayWidth(piece);
                    if (lineWidth > 0 && lineWidth + 1 + pieceWidth > charsPerLine)
                    {
                        lines.Add(line.ToString());
                        line.Clear();
                        lineWidth = 0;
                    }

                    if (lineWidth > 0)
                    {
                        line.Append(' ');
                        lineWidth++;
                    }

                    line.Append(piece);
                    lineWidth += pieceWidth;
                }
            }

            if (lineWidth > 0)
            {
                lines.Add(line.ToString());
            }

            if (lines.Count > maxLines)
            {
                truncated = true;
                break;
            }
        }

        if (lines.Count > maxLines)
        {
            truncated = true;
            lines.RemoveRange(maxLines, lines.Count - maxLines);
        }

        if (truncated)
        {
            lines[^1] = TruncateToWidth(lines[^1], charsPerLine - 1).TrimEnd() + "\u2026";
        }

        return lines;
    }

    /// <summary>Newlines kept (as '\n'), other whitespace made a plain space, control/format junk removed.</summary>
    private static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        foreach (var c in normalized)
        {
            if (c is '\n' or '\r' or '\u2028' or '\u2029')
            {
                builder.Append('\n');
            }
            else if (char.IsWhiteSpace(c))
            {
                builder.Append(' ');
            }
            else if (!char.IsControl(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static IEnumerable<string> BreakLongWord(string word, int charsPerLine)
    {
        if (DisplayWidth(word) <= charsPerLine)
        {
            yield return word;
            yield break;
        }

        var piece = new StringBuilder();
        var width = 0;
        var elements = StringInfo.GetTextElementEnumerator(word);
        while (elements.MoveNext())
        {
            var element = elements.GetTextElement();
            var elementWidth = ElementWidth(element);
            if (width > 0 && width + elementWidth > charsPerLine)
            {
                yield return piece.ToString();
                piece.Clear();
                width = 0;
            }

            piece.Append(element);
            width += elementWidth;
        }

        if (width > 0)
        {
            yield return piece.ToString();
        }
    }

    private static string TruncateToWidth(string line, int maxWidth)
    {
        var builder = new StringBuilder();
        var width = 0;
        var elements = StringInfo.GetTextElementEnumerator(line);
        while (elements.MoveNext())
        {
            var element = elements.GetTextElement();
            var elementWidth = ElementWidth(element);
            if (width + elementWidth > maxWidth)
            {
                break;
            }

            builder.Append(element);
            width += elementWidth;
        }

        return builder.ToString();
    }

    internal static int DisplayWidth(string text)
    {
        var width = 0;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            width += ElementWidth(elements.GetTextElement());
        }

        return width;
    }

    // East Asian wide characters and emoji take roughly twice the width of a Latin letter.
    private static int ElementWidth(string element)
    {
        Rune.DecodeFromUtf16(element, out var rune, out _);
        var codePoint = rune.Value;
        return codePoint is (>= 0x1100 and <= 0x115F) or (>= 0x2E80 and <= 0xA4CF) or (>= 0xAC00 and <= 0xD7A3)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0xFE30 and <= 0xFE4F) or (>= 0xFF00 and <= 0xFF60)
            or (>= 0xFFE0 and <= 0xFFE6) or (>= 0x1F300 and <= 0x1FAFF) or (>= 0x20000 and <= 0x3FFFD)
            ? 2
            : 1;
    }
}
