using Microsoft.AspNetCore.WebUtilities;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Uploads;

/// <summary>A multipart body the reader cannot make sense of; the message says what is wrong and what to send.</summary>
public sealed class MalformedFormException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The sections of an upload form. MultipartReader reports a malformed body (no boundary line, a truncated part, LF-only
/// line endings, part headers over the limit) as IOException or InvalidDataException, from the next-section call and
/// from part bodies alike; here both become <see cref="MalformedFormException"/>. A failing disk (our own file writes)
/// and Kestrel's own refusals (BadHttpRequestException: too large, unreadable framing) are left as they are.
/// </summary>
public sealed class UploadForm(string boundary, Stream body)
{
    public const int HeadersLengthLimit = 16 * 1024;
    private const string Hint =
        " Send multipart/form-data with CRLF line endings: every entry of 'fields', then a 'file' part, then the closing boundary.";

    private readonly LineEndingStream _body = new(body);
    private MultipartReader? _reader;
    private int _sections;

    public async Task<MultipartSection?> NextAsync(CancellationToken cancellationToken)
    {
        MultipartSection? section;
        try
        {
            _reader ??= new MultipartReader(boundary, _body) { HeadersLengthLimit = HeadersLengthLimit }; // a field initializer cannot use _body
            section = await _reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (Exception ex) when (IsMalformed(ex))
        {
            throw Malformed(ex);
        }
        if (section is null) return null;
        _sections++;
        section.Body = new PartStream(section.Body, this);
        return section;
    }

    private static bool IsMalformed(Exception ex) => ex is InvalidDataException || ex is IOException and not BadHttpRequestException;

    private MalformedFormException Malformed(Exception ex)
    {
        var reason = ex switch
        {
            InvalidDataException when ex.Message.Contains("headers length", StringComparison.OrdinalIgnoreCase) =>
                $"a part's headers are longer than {HeadersLengthLimit / 1024} KB",
            _ when _body.BareLineFeed == true => "its lines end in LF alone, and multipart needs CRLF",
            InvalidDataException => ex.Message.TrimEnd('.'),
            _ when _sections == 0 => $"no '--{boundary}' boundary line was found (the body is empty, not multipart, or its lines do not end in CRLF)",
            _ => $"the body ended before the closing boundary '--{boundary}--' (the upload was cut off)",
        };
        return new MalformedFormException($"The upload form could not be read: {reason}.{Hint}", ex);
    }

    /// <summary>A part's body whose read errors are the form's malformations.</summary>
    private sealed class PartStream(Stream inner, UploadForm form) : ReadOnlyStream(inner)
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return Inner.Read(buffer, offset, count);
            }
            catch (Exception ex) when (IsMalformed(ex))
            {
                throw form.Malformed(ex);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await Inner.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception ex) when (IsMalformed(ex))
            {
                throw form.Malformed(ex);
            }
        }
    }

    /// <summary>
    /// Notes how the body's first line ends. The reader finds "--boundary" at the very start even with LF-only lines,
    /// then never finds the next "CRLF--boundary" and runs out of body: without this, that reads as a cut-off upload.
    /// </summary>
    private sealed class LineEndingStream(Stream inner) : ReadOnlyStream(inner)
    {
        private byte _previous;

        /// <summary>Null until the first line feed; then whether it came without a carriage return.</summary>
        public bool? BareLineFeed { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Observe(buffer.AsSpan(offset, Inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await Inner.ReadAsync(buffer, cancellationToken);
            return Observe(buffer.Span[..read]);
        }

        private int Observe(ReadOnlySpan<byte> read)
        {
            if (BareLineFeed is null && read.Length > 0)
            {
                var lf = read.IndexOf((byte)'\n');
                if (lf >= 0) BareLineFeed = (lf > 0 ? read[lf - 1] : _previous) != '\r';
                _previous = read[^1];
            }
            return read.Length;
        }
    }
}
