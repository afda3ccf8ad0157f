using System.Globalization;
using CsvHelper;

namespace TerritoryAtlas.Web;

/// <summary>
/// Every CSV file the atlas writes (exports, series, portraits, synthesis, study areas, workshop annotations, audit
/// log), through one maintained writer, CsvHelper, with the conventions in this one place:
/// <list type="bullet">
/// <item>RFC 4180: a field holding the separator, a quote or a line break is quoted, quotes inside doubled;</item>
/// <item>comma and decimal point by default, as R, pandas and QGIS read them; or <see cref="FrenchSeparator"/>, a
/// semicolon with decimal commas, as a French spreadsheet reads them (the semicolon exists there precisely because the
/// comma is the decimal mark);</item>
/// <item>UTF-8, with a byte order mark on request (Excel guesses the encoding from it; without it accents come out
/// garbled);</item>
/// <item>a text field starting with = + - @, a tab or CR is defused with an apostrophe (and quoted), so a
/// spreadsheet shows a name or a note someone typed instead of running it as a formula. Numbers are written as
/// numbers, never defused.</item>
/// </list>
/// </summary>
public sealed class CsvOutput : IDisposable, IAsyncDisposable
{
    public const char FrenchSeparator = ';';

    // Invariant digits and sign with a decimal comma: not fr-FR, whose ICU data may change the minus or group signs.
    private static readonly NumberFormatInfo DecimalComma = new() { NumberDecimalSeparator = ",", NegativeSign = "-" };

    private readonly CsvWriter _writer;

    private CsvOutput(CsvWriter writer) => _writer = writer;

    private static CsvWriterOptions Options(char separator, bool byteOrderMark, string newLine) => CsvWriterOptions.Default with
    {
        Separator = separator,
        NewLine = newLine,
        Injection = CsvInjection.Escape,
        WriteByteOrderMark = byteOrderMark,
        FormatProvider = separator == FrenchSeparator ? DecimalComma : CultureInfo.InvariantCulture,
    };

    /// <summary>A writer streaming to a response body or a file: UTF-8, flushed as its buffer fills.</summary>
    public static CsvOutput To(Stream output, char separator = ',', bool byteOrderMark = false, string newLine = "\r\n") =>
        new(CsvWriter.Create(output, Options(separator, byteOrderMark, newLine), leaveOpen: true));

    /// <summary>A small file built in memory (a series, a portrait): the text, BOM first when asked for.</summary>
    public static string Build(Action<CsvOutput> write, bool byteOrderMark = false, string newLine = "\n")
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        if (byteOrderMark)
        {
            text.Write('\uFEFF');
        }

        using (var csv = new CsvOutput(CsvWriter.Create(text, Options(',', false, newLine), leaveOpen: true)))
        {
            write(csv);
        }

        return text.ToString();
    }

    /// <summary>A line of column names.</summary>
    public CsvOutput Header(params string[] names)
    {
        foreach (var name in names)
        {
            _writer.WriteField(name);
        }

        return EndLine();
    }

    /// <summary>A text field (a code, a name, a note, a status); null is an empty field.</summary>
    public CsvOutput Text(string? value)
    {
        _writer.WriteField(value ?? "");
        return this;
    }

    /// <summary>A text field in quotes whatever it holds (what people typed: a spreadsheet keeps it as text).</summary>
    public CsvOutput Quoted(string? value)
    {
        _writer.WriteField(value ?? "", CsvQuoting.Always);
        return this;
    }

    /// <summary>
    /// A number with the separator's decimal mark, as it round-trips (<paramref name="format"/> R) or as the format
    /// says (0.###### for coordinates); null is an empty field. A negative number is a number, not a formula.
    /// </summary>
    public CsvOutput Number(double? value, string format = "R")
    {
        if (value is { } v)
        {
            _writer.WriteField(v, format);
        }
        else
        {
            _writer.WriteField("");
        }

        return this;
    }

    /// <summary>A whole number (a year, an id, a rank); null is an empty field.</summary>
    public CsvOutput Integer(long? value)
    {
        if (value is { } v)
        {
            _writer.WriteField(v, "D");
        }
        else
        {
            _writer.WriteField("");
        }

        return this;
    }

    /// <summary>A UTC time (as the database gives timestamptz), ISO 8601 to the second: 2026-12-06T10:00:00Z; null is an empty field.</summary>
    public CsvOutput Timestamp(DateTime? utc) => Text(utc?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    public CsvOutput EndLine()
    {
        _writer.EndRecord();
        return this;
    }

    /// <summary>Ends the line, writing to the destination asynchronously when the buffer is mostly full.</summary>
    public ValueTask EndLineAsync(CancellationToken ct) => _writer.EndRecordAsync(ct);

    public ValueTask FlushAsync(CancellationToken ct) => _writer.FlushAsync(ct);

    public void Dispose() => _writer.Dispose();

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
