using System.Security.Cryptography;
using Reelay.Server.Features.Blobs;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Blobs;

/// <summary>
/// What every blob store must do, run against each store by a subclass. Each test gets a store of its own
/// (a fresh directory, or a fresh prefix in the bucket), so tests never see each other's blobs.
/// </summary>
public abstract class BlobStoreContract
{
    /// <summary>A new, empty store whose temporary files go to temporaryDirectory.</summary>
    protected abstract IBlobStore CreateStore(string temporaryDirectory);

    /// <summary>Whether GetLocalFileAsync hands out copies (remote stores) rather than the stored file itself.</summary>
    protected abstract bool LocalFilesAreCopies { get; }

    private readonly string _temporaryDirectory = TestPaths.NewTempDirectory("reelay-blob-tmp");

    private IBlobStore NewStore() => CreateStore(_temporaryDirectory);

    private static byte[] Bytes(int count, int seed = 1)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]?> ReadAsync(IBlobStore store, string key, long from = 0, long? length = null)
    {
        await using var stream = await store.OpenReadAsync(key, from, length);
        if (stream is null) return null;
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task A_written_blob_reads_back_with_its_size()
    {
        var store = NewStore();
        var bytes = Bytes(10_000);
        await store.WriteAsync("outputs/t1/lease.mp4", bytes);
        Assert.Equal(10_000, await store.SizeAsync("outputs/t1/lease.mp4"));
        Assert.Equal(bytes, await ReadAsync(store, "outputs/t1/lease.mp4"));
        Assert.True(await store.ExistsAsync("outputs/t1/lease.mp4"));
    }

    [Fact]
    public async Task Writing_a_key_again_replaces_the_blob()
    {
        var store = NewStore();
        await store.WriteAsync("uploads/u1", Bytes(3000, seed: 1));
        await store.WriteAsync("uploads/u1", Bytes(1000, seed: 2));
        Assert.Equal(Bytes(1000, seed: 2), await ReadAsync(store, "uploads/u1"));
    }

    [Fact]
    public async Task A_capped_write_of_exactly_the_cap_is_stored()
    {
        var store = NewStore();
        var (size, tooLarge) = await store.WriteCappedAsync("uploads/exact", new MemoryStream(Bytes(4096)), cap: 4096);
        Assert.Equal((4096L, false), (size, tooLarge));
        Assert.Equal(Bytes(4096), await ReadAsync(store, "uploads/exact"));
    }

    [Fact]
    public async Task A_capped_write_stops_reading_soon_after_the_cap_and_stores_nothing()
    {
        var store = NewStore();
        // An endless body: the store must stop reading on its own, one byte past the cap.
        var endless = new EndlessStream();
        var (size, tooLarge) = await store.WriteCappedAsync("uploads/huge", endless, cap: 100_000);
        Assert.True(tooLarge);
        Assert.True(size > 100_000, $"size {size}");
        Assert.InRange(endless.BytesRead, 100_001, 100_000 + 81_920); // reading stopped within the buffer that crossed the cap
        Assert.Null(await store.SizeAsync("uploads/huge"));
        Assert.Null(await store.OpenReadAsync("uploads/huge"));
    }

    [Fact]
    public async Task A_refused_capped_write_leaves_the_previous_blob_in_place()
    {
        var store = NewStore();
        await store.WriteAsync("uploads/kept", Bytes(500));
        var (_, tooLarge) = await store.WriteCappedAsync("uploads/kept", new MemoryStream(Bytes(501)), cap: 500);
        Assert.True(tooLarge);
        Assert.Equal(Bytes(500), await ReadAsync(store, "uploads/kept"));
    }

    [Fact]
    public async Task Writes_leave_no_temporary_files_behind()
    {
        var store = NewStore();
        await store.WriteAsync("outputs/t2/a.mp4", Bytes(2000));
        await store.WriteCappedAsync("outputs/t2/b.mp4", new MemoryStream(Bytes(2000)), cap: 1000);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temporaryDirectory));
    }

    [Fact]
    public async Task A_range_reads_length_bytes_from_an_offset_or_everything_from_an_offset()
    {
        var store = NewStore();
        var bytes = Bytes(10_000);
        await store.WriteAsync("outputs/t3/lease.mp4", bytes);
        Assert.Equal(bytes[100..350], await ReadAsync(store, "outputs/t3/lease.mp4", from: 100, length: 250));
        Assert.Equal(bytes[9_000..], await ReadAsync(store, "outputs/t3/lease.mp4", from: 9_000));
        Assert.Equal(bytes[..1], await ReadAsync(store, "outputs/t3/lease.mp4", from: 0, length: 1));
        Assert.Equal(bytes[9_999..], await ReadAsync(store, "outputs/t3/lease.mp4", from: 9_999, length: 1));
        Assert.Empty((await ReadAsync(store, "outputs/t3/lease.mp4", from: 10_000))!);
    }

    [Fact]
    public async Task The_size_and_the_stream_of_a_missing_blob_are_null()
    {
        var store = NewStore();
        Assert.Null(await store.SizeAsync("outputs/missing/lease.mp4"));
        Assert.Null(await store.OpenReadAsync("outputs/missing/lease.mp4"));
        Assert.Null(await store.OpenReadAsync("outputs/missing/lease.mp4", from: 10, length: 10));
        Assert.Null(await store.GetLocalFileAsync("outputs/missing/lease.mp4", _temporaryDirectory));
        Assert.False(await store.ExistsAsync("outputs/missing/lease.mp4"));
    }

    [Fact]
    public async Task A_local_file_of_a_blob_has_its_bytes_and_a_temporary_copy_goes_away_when_disposed()
    {
        var store = NewStore();
        var bytes = Bytes(5000);
        await store.WriteAsync("inputs/t4/first.png", bytes);
        var local = await store.GetLocalFileAsync("inputs/t4/first.png", _temporaryDirectory);
        Assert.NotNull(local);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(local.Path));
        Assert.Equal(LocalFilesAreCopies, local.IsTemporary);
        Assert.Equal(".png", Path.GetExtension(local.Path));
        local.Dispose();
        Assert.Equal(!LocalFilesAreCopies, File.Exists(local.Path));
        Assert.Equal(bytes, await ReadAsync(store, "inputs/t4/first.png"));
    }

    [Fact]
    public async Task Putting_a_file_moves_it_when_asked_and_copies_it_otherwise()
    {
        var store = NewStore();
        var moved = Path.Combine(TestPaths.NewTempDirectory("reelay-blob-src"), "render.mp4");
        var copied = Path.Combine(TestPaths.NewTempDirectory("reelay-blob-src"), "photo.png");
        await File.WriteAllBytesAsync(moved, Bytes(3000, seed: 3));
        await File.WriteAllBytesAsync(copied, Bytes(2000, seed: 4));
        await store.PutFileAsync("outputs/t5/lease.mp4", moved, move: true);
        await store.PutFileAsync("inputs/t5/first.png", copied, move: false);
        Assert.False(File.Exists(moved));
        Assert.True(File.Exists(copied));
        Assert.Equal(Bytes(3000, seed: 3), await ReadAsync(store, "outputs/t5/lease.mp4"));
        Assert.Equal(Bytes(2000, seed: 4), await ReadAsync(store, "inputs/t5/first.png"));
    }

    [Fact]
    public async Task Deleting_a_key_removes_everything_under_it_but_not_keys_that_only_share_its_text()
    {
        var store = NewStore();
        foreach (var key in new[] { "outputs/ab/lease1.mp4", "outputs/ab/old/lease0.mp4", "outputs/abc/x", "outputs/ab.mp4", "outputs/a/b" })
            await store.WriteAsync(key, Bytes(100));
        await store.DeleteAsync("outputs/ab");
        Assert.Null(await store.SizeAsync("outputs/ab/lease1.mp4"));
        Assert.Null(await store.SizeAsync("outputs/ab/old/lease0.mp4"));
        foreach (var sibling in new[] { "outputs/abc/x", "outputs/ab.mp4", "outputs/a/b" })
            Assert.Equal(100, await store.SizeAsync(sibling));
    }

    [Fact]
    public async Task Deleting_a_single_blob_removes_it()
    {
        var store = NewStore();
        await store.WriteAsync("uploads/u2", Bytes(100));
        await store.WriteAsync("uploads/u20", Bytes(100));
        await store.DeleteAsync("uploads/u2");
        Assert.Null(await store.SizeAsync("uploads/u2"));
        Assert.Equal(100, await store.SizeAsync("uploads/u20"));
    }

    [Fact]
    public async Task Deleting_what_does_not_exist_is_not_an_error()
    {
        var store = NewStore();
        await store.DeleteAsync("outputs/never-written");
        await store.DeleteAsync("inputs/never/written.png");
    }

    [Fact]
    public async Task A_20_MB_blob_streams_in_and_out_intact()
    {
        var store = NewStore();
        const long size = 20L * 1024 * 1024;
        // Neither side is a byte array: a generated, unseekable body in, and a hash computed while reading out.
        var source = new EndlessStream(limit: size);
        var (written, tooLarge) = await store.WriteCappedAsync("outputs/t6/big.mp4", source, cap: 32L * 1024 * 1024);
        Assert.Equal((size, false), (written, tooLarge));
        Assert.Equal(size, await store.SizeAsync("outputs/t6/big.mp4"));

        await using var stream = await store.OpenReadAsync("outputs/t6/big.mp4");
        Assert.NotNull(stream);
        Assert.Equal(Convert.ToHexString(EndlessStream.Hash(size)), Convert.ToHexString(await SHA256.HashDataAsync(stream)));

        await using var tail = await store.OpenReadAsync("outputs/t6/big.mp4", from: size - 1000);
        var copy = new MemoryStream();
        await tail!.CopyToAsync(copy);
        Assert.Equal(EndlessStream.Slice(size - 1000, 1000), copy.ToArray());
    }

    [Fact]
    public async Task The_readiness_probe_succeeds_and_leaves_no_temporary_files()
    {
        var store = NewStore();
        await store.ProbeAsync();
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temporaryDirectory));
    }

    /// <summary>A deterministic, unseekable body (byte i is i*31+7 mod 251), endless or up to a limit, that counts what was read.</summary>
    private sealed class EndlessStream(long limit = long.MaxValue) : Stream
    {
        public long BytesRead { get; private set; }

        public static byte At(long i) => (byte)((i * 31 + 7) % 251);

        public static byte[] Slice(long from, int count) => Enumerable.Range(0, count).Select(i => At(from + i)).ToArray();

        public static byte[] Hash(long size)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            for (long done = 0; done < size; done += buffer.Length)
            {
                var n = (int)Math.Min(buffer.Length, size - done);
                for (var i = 0; i < n; i++) buffer[i] = At(done + i);
                hash.AppendData(buffer, 0, n);
            }
            return hash.GetHashAndReset();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, limit - BytesRead);
            for (var i = 0; i < n; i++) buffer[offset + i] = At(BytesRead + i);
            BytesRead += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

public sealed class DirectoryBlobStoreContractTests : BlobStoreContract
{
    protected override IBlobStore CreateStore(string temporaryDirectory) => new DirectoryBlobStore(TestPaths.NewTempDirectory("reelay-blobs"));

    protected override bool LocalFilesAreCopies => false;
}

public sealed class S3BlobStoreContractTests(S3Endpoint s3) : BlobStoreContract, IClassFixture<S3Endpoint>
{
    // A prefix per store: every test has an empty store inside the one bucket, and prefixes are exercised throughout.
    protected override IBlobStore CreateStore(string temporaryDirectory) =>
        new S3BlobStore(new S3BlobStoreOptions(s3.Endpoint, s3.Bucket, S3Endpoint.AccessKey, S3Endpoint.SecretKey, "us-east-1", $"contract-{Guid.NewGuid():N}/"), temporaryDirectory);

    protected override bool LocalFilesAreCopies => true;
}
