namespace Reelay.Server.Infrastructure;

/// <summary>The request body, with Kestrel's IOExceptions about malformed framing turned into BadHttpRequestException (400).</summary>
public sealed class RequestBodyErrorStream(Stream inner) : ReadOnlyStream(inner)
{
    public override int Read(byte[] buffer, int offset, int count)
    {
        try { return Inner.Read(buffer, offset, count); }
        catch (IOException ex) when (ex is not BadHttpRequestException) { throw Malformed(ex); }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try { return await Inner.ReadAsync(buffer, cancellationToken); }
        catch (IOException ex) when (ex is not BadHttpRequestException) { throw Malformed(ex); }
    }

    // A client that hung up also surfaces as an IOException here; answering it 400 is harmless, nobody reads it.
    private static BadHttpRequestException Malformed(IOException ex) => new(ex.Message, StatusCodes.Status400BadRequest, ex);
}
