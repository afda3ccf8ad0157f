using System.Text;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// A small RFC 4180 reader that keeps the line number of every record, so a malformed file is reported as
/// "file: line N: problem". Accepts comma or semicolon separators and a UTF-8 BOM, as French publishers use both.
/// </summary>
public sealed class CsvFile
{
    public required string DisplayName { get; init; }
    public required IReadOnlyList<string> Header { get; init; }
    public required IReadOnlyList<CsvRecord> Records { get; init; }

    public int Column(string name) =>
        Header.ToList().IndexOf(name) is >= 0 and var index
            ? index
            : throw new ImportException(DisplayName, "line 1", $"missing column '{name}' (columns: {string.Join(", ", Header)})");

    public static CsvFile Read(string path, string displayName)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, displayName);
    }

    public static CsvFile Read(TextReader reader, string displayName)
    {
        var stream = new CsvStream(reader, displayName);
        return new CsvFile { DisplayName = displayName, Header = stream.Header, Records = stream.Records().ToList() };
    }

    /// <summary>Reads a file record by record (contributions of any size pass through without being held whole).</summary>
    public sealed class CsvStream
    {
        private readonly TextReader _reader;
        private readonly char _separator;
        private int _lineNumber = 1;

        public CsvStream(TextReader reader, string displayName)
        {
            _reader = reader;
            DisplayName = displayName;
            var headerLine = reader.ReadLine() ?? throw new ImportException(displayName, "line 1", "the file is empty");
            // INSEE's tables open with title rows (a title, the source, a date: one cell each, or a spreadsheet's export
            // of them with empty cells after) before the row of variable names: the header is the first of the first
            // lines that names at least two columns.
            while (true)
            {
                _separator = headerLine.Count(c => c == ';') > headerLine.Count(c => c == ',') ? ';' : ',';
                Header = Split(headerLine, _separator, reader, ref _lineNumber, displayName);
                if (Header.Count(h => h.Length > 0) >= 2 || _lineNumber >= MaxTitleLines)
                {
                    break;
                }

                headerLine = reader.ReadLine();
                if (headerLine is null)
                {
                    break;
                }

                _lineNumber++;
            }

            if (Header.Count(h => h.Length > 0) < 2)
            {
                throw new ImportException(displayName, "line 1", "the header has fewer than two columns: not a CSV file");
            }
        }

        /// <summary>How many title lines may come before the header.</summary>
        public const int MaxTitleLines = 20;

        public string DisplayName { get; }
        public IReadOnlyList<string> Header { get; }

        public IEnumerable<CsvRecord> Records()
        {
            while (_reader.ReadLine() is { } line)
            {
                _lineNumber++;
                if (line.Length == 0)
                {
                    continue;
                }

                var startLine = _lineNumber;
                var fields = Split(line, _separator, _reader, ref _lineNumber, DisplayName);
                if (fields.Count != Header.Count)
                {
                    throw new ImportException(DisplayName, $"line {startLine}",
                        $"{fields.Count} fields where the header has {Header.Count}");
                }

                yield return new CsvRecord(startLine, fields);
            }
        }
    }

    private static List<string> Split(string line, char separator, TextReader reader, ref int lineNumber, string displayName)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var startLine = lineNumber;
        var inQuotes = false;
        var i = 0;
        while (true)
        {
            if (i == line.Length)
            {
                if (!inQuotes)
                {
                    break;
                }

                // A quoted field spans lines.
                line = reader.ReadLine() ?? throw new ImportException(displayName, $"line {startLine}", "a quoted field is never closed");
                lineNumber++;
                field.Append('\n');
                i = 0;
                continue;
            }

            var c = line[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i += 2;
                    continue;
                }

                if (c == '"')
                {
                    inQuotes = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                inQuotes = true;
            }
            else if (c == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c != '\r')
            {
                field.Append(c);
            }

            i++;
        }

        fields.Add(field.ToString());
        return fields;
    }
}

public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields)
{
    public string this[int column] => Fields[column];
}
