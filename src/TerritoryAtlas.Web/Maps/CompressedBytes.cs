using System.IO.Compression;

namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// A response body with its gzip and brotli copies, made once (when a tile is built, when a values payload is first
/// asked for) and then served from memory, so a warm request costs no serialisation and no compression.
/// </summary>
public sealed record CompressedBytes(byte[] Raw, byte[] Gzip, byte[] Brotli)
{
    public static readonly CompressedBytes Empty = new([], [], []);

    /// <summary>The memory cache size of these bytes, in KB (the unit tiles and payloads are counted in).</summary>
    public long CacheSize => Math.Max(1, (Raw.Length + Gzip.Length + Brotli.Length) / 1024);

    public static CompressedBytes Compress(byte[] raw, CompressionLevel gzipLevel, int brotliQuality)
    {
        if (raw.Length == 0)
        {
            return Empty;
        }

        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, gzipLevel, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        var brotli = new byte[BrotliEncoder.GetMaxCompressedLength(raw.Length)];
        // Window 22 (4 MB): tiles and payloads are under 2 MB, so the whole body is in reach of every match.
        if (!BrotliEncoder.TryCompress(raw, brotli, out var written, brotliQuality, window: 22))
        {
            throw new InvalidOperationException("brotli could not compress a response body");
        }

        return new CompressedBytes(raw, gzipped.ToArray(), brotli[..written]);
    }

    /// <summary>Writes the copy the client accepts (brotli, a fifth smaller than gzip, first).</summary>
    public async Task WriteAsync(HttpContext http, string contentType, CancellationToken ct)
    {
        http.Response.Headers.Vary = "Accept-Encoding";
        var accepted = http.Request.Headers.AcceptEncoding.ToString();
        var (bytes, encoding) = Raw.Length == 0 ? (Raw, null)
            : accepted.Contains("br", StringComparison.OrdinalIgnoreCase) ? (Brotli, "br")
            : accepted.Contains("gzip", StringComparison.OrdinalIgnoreCase) ? (Gzip, "gzip")
            : (Raw, (string?)null);
        if (encoding is not null)
        {
            http.Response.Headers.ContentEncoding = encoding;
        }

        http.Response.ContentType = contentType;
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, ct);
    }
}
