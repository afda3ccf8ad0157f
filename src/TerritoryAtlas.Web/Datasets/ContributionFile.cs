using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using ExcelDataReader;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Datasets;

/// <summary>
/// A contributed file as a table of text cells with line numbers, whatever it came as: CSV (comma or semicolon,
/// UTF-8 with or without BOM, or Windows-1252) or XLSX (its first sheet). Read as a stream from a temporary copy
/// on disk; the copy is deleted on dispose.
/// </summary>
public sealed class ContributionFile : IDisposable
{
    /// <summary>XLSX limits against zip bombs: entries, and bytes actually inflated from the sheets and strings.</summary>
    public const int MaxXlsxEntries = 1_000;

    public const long MaxXlsxInflatedBytes = 1L << 30;

    private readonly string _path;
    private readonly IDisposable _reader;
    private bool _keepFile;

    private ContributionFile(string path, string displayName, string format, string encoding, IReadOnlyList<string> header,
        IEnumerable<CsvRecord> records, IDisposable reader)
    {
        _path = path;
        DisplayName = displayName;
        Format = format;
        Encoding = encoding;
        Header = header;
        Records = records;
        _reader = reader;
    }

    public string DisplayName { get; }
    public string Format { get; }
    public string Encoding { get; }
    public IReadOnlyList<string> Header { get; }
    public IEnumerable<CsvRecord> Records { get; }

    static ContributionFile() => System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Copies the upload to a temporary file, refusing it past <paramref name="maxBytes"/>, and opens it.</summary>
    public static async Task<ContributionFile> OpenAsync(Stream upload, string displayName, long maxBytes, CancellationToken ct) =>
        OpenCopy(await CopyAsync(upload, displayName, maxBytes, ct), displayName);

    /// <summary>Opens a copy made by <see cref="CopyAsync"/>, which it owns from now on (deleted on dispose, or at once if it cannot be read).</summary>
    public static ContributionFile OpenCopy(string path, string displayName)
    {
        try
        {
            return Open(path, displayName);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Copies the upload to a temporary file (its path returned; the caller deletes it), refusing it past <paramref name="maxBytes"/>.</summary>
    public static async Task<string> CopyAsync(Stream upload, string displayName, long maxBytes, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"atlas-contribution-{Guid.NewGuid():N}");
        try
        {
            await using (var copy = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                var buffer = new byte[81920];
                long total = 0;
                int read;
                while ((read = await upload.ReadAsync(buffer, ct)) > 0)
                {
                    total += read;
                    if (total > maxBytes)
                    {
                        throw new ImportException(displayName, "file", $"larger than the limit of {maxBytes / (1024 * 1024)} MB");
                    }

                    await copy.WriteAsync(buffer.AsMemory(0, read), ct);
                }

                if (total == 0)
                {
                    throw new ImportException(displayName, "file", "the file is empty");
                }
            }

            return path;
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    internal static ContributionFile Open(string path, string displayName)
    {
        var head = new byte[4];
        using (var probe = File.OpenRead(path))
        {
            probe.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        }

        return head is [0x50, 0x4B, 0x03, 0x04] ? OpenXlsx(path, displayName) : OpenCsv(path, displayName);
    }

    private static ContributionFile OpenCsv(string path, string displayName)
    {
        var encoding = DetectEncoding(path, displayName);
        var reader = new StreamReader(path, encoding, detectEncodingFromByteOrderMarks: true);
        try
        {
            var csv = new CsvFile.CsvStream(reader, displayName);
            return new ContributionFile(path, displayName, "csv", encoding.WebName, csv.Header, csv.Records(), reader);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// UTF-8 (with or without BOM) when every byte sequence is valid UTF-8, else Windows-1252, the other encoding French
    /// spreadsheets save CSV in. NUL bytes mean neither (UTF-16, or not text at all): refused with the line.
    /// </summary>
    private static Encoding DetectEncoding(string path, string displayName)
    {
        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        var bytes = new byte[65536];
        var chars = new char[65537];
        var line = 1;
        using var stream = File.OpenRead(path);
        int read;
        while ((read = stream.Read(bytes)) > 0)
        {
            var span = bytes.AsSpan(0, read);
            if (span.IndexOf((byte)0) is >= 0 and var nul)
            {
                line += span[..nul].Count((byte)'\n');
                throw new ImportException(displayName, $"line {line}",
                    "the file holds NUL bytes: not a CSV text file (save it as CSV UTF-8 or as XLSX)");
            }

            try
            {
                decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
            }
            catch (DecoderFallbackException)
            {
                return CodePagesEncodingProvider.Instance.GetEncoding(1252)!;
            }

            line += span.Count((byte)'\n');
        }

        return new UTF8Encoding(false);
    }

    private static ContributionFile OpenXlsx(string path, string displayName)
    {
        CheckXlsx(path, displayName);
        var stream = File.OpenRead(path);
        try
        {
            var reader = ExcelReaderFactory.CreateOpenXmlReader(stream);
            var rows = XlsxRows(reader).GetEnumerator();
            if (!rows.MoveNext())
            {
                throw new ImportException(displayName, "line 1", "the first sheet is empty");
            }

            // Title rows (INSEE's workbooks: a title, the source, a date, one cell each) come before the row of names.
            var header = rows.Current.Fields;
            while (header.Count(h => h.Length > 0) < 2 && rows.Current.Line < CsvFile.CsvStream.MaxTitleLines && rows.MoveNext())
            {
                header = rows.Current.Fields;
            }

            if (header.Count(h => h.Length > 0) < 2)
            {
                throw new ImportException(displayName, "line 1", "the first row of the first sheet has fewer than two column names");
            }

            return new ContributionFile(path, displayName, "xlsx", "xlsx", header, Rest(rows, header.Count), new Both(reader, stream));
        }
        catch (Exception e) when (e is not ImportException)
        {
            stream.Dispose();
            throw new ImportException(displayName, "file", $"not a readable XLSX workbook ({e.GetType().Name})");
        }
    }

    private static IEnumerable<CsvRecord> Rest(IEnumerator<CsvRecord> rows, int width)
    {
        while (rows.MoveNext())
        {
            var fields = rows.Current.Fields;
            if (fields.All(f => f.Length == 0))
            {
                continue;
            }

            yield return new CsvRecord(rows.Current.Line,
                fields.Count >= width ? fields.Take(width).ToList() : [.. fields, .. Enumerable.Repeat("", width - fields.Count)]);
        }
    }

    internal static IEnumerable<CsvRecord> XlsxRows(IExcelDataReader reader)
    {
        var line = 0;
        while (reader.Read())
        {
            line++;
            var fields = new string[reader.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = reader.GetValue(i) switch
                {
                    null => "",
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    DateTime t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    bool b => b ? "true" : "false",
                    var other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? "",
                };
            }

            yield return new CsvRecord(line, fields);
        }
    }

    /// <summary>
    /// Before any sheet is parsed: at most <see cref="MaxXlsxEntries"/> entries, sheets and strings inflating to at most
    /// <see cref="MaxXlsxInflatedBytes"/> (counted as they inflate, not as declared), and no formula cells (a figure
    /// must be the producer's value, not a computation the atlas would trust blindly).
    /// </summary>
    internal static void CheckXlsx(string path, string displayName)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            if (zip.Entries.Count > MaxXlsxEntries)
            {
                throw new ImportException(displayName, "file", $"the workbook has {zip.Entries.Count} parts (limit {MaxXlsxEntries}): refused");
            }

            long budget = MaxXlsxInflatedBytes;
            foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal)
                                                          || e.FullName == "xl/sharedStrings.xml"))
            {
                using var inflated = new LimitedStream(entry.Open(), budget, displayName);
                using var xml = XmlReader.Create(inflated, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
                var cell = "";
                while (xml.Read())
                {
                    if (xml.NodeType != XmlNodeType.Element)
                    {
                        continue;
                    }

                    if (xml.LocalName == "c")
                    {
                        cell = xml.GetAttribute("r") ?? "";
                    }
                    else if (xml.LocalName == "f" && entry.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal))
                    {
                        var row = new string(cell.SkipWhile(char.IsLetter).ToArray());
                        throw new ImportException(displayName, $"line {row}",
                            $"cell {cell} holds a formula: paste the values (Paste special → Values) and upload again");
                    }
                }

                budget -= inflated.Position;
            }
        }
        catch (InvalidDataException e)
        {
            throw new ImportException(displayName, "file", $"not a readable XLSX workbook (damaged or truncated zip: {e.Message})");
        }
        catch (XmlException e)
        {
            throw new ImportException(displayName, "file", $"not a readable XLSX workbook (XML: {e.Message})");
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        if (!_keepFile)
        {
            File.Delete(_path);
        }
    }

    /// <summary>
    /// The shape of a file already on disk (the upload page's copy, which it keeps for the validation that follows):
    /// format, encoding and header, read as the contribution will read them. Throws <see cref="ImportException"/>.
    /// </summary>
    public static (string Format, string Encoding, IReadOnlyList<string> Header) Peek(string path, string displayName)
    {
        using var file = Open(path, displayName);
        file._keepFile = true;
        return (file.Format, file.Encoding, file.Header);
    }

    private sealed class Both(IDisposable first, IDisposable second) : IDisposable
    {
        public void Dispose()
        {
            first.Dispose();
            second.Dispose();
        }
    }

    /// <summary>A read-only stream that refuses to inflate past its budget (a zip bomb stops here, not in memory).</summary>
    private sealed class LimitedStream(Stream inner, long budget, string displayName) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            _position += read;
            if (_position > budget)
            {
                throw new ImportException(displayName, "file",
                    $"the workbook inflates to more than {MaxXlsxInflatedBytes / (1024 * 1024)} MB: refused (zip bomb?)");
            }

            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
