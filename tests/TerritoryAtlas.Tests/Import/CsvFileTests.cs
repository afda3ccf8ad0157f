using System.Text;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Tests.Import;

public sealed class CsvFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Quoted_fields_keep_their_commas_and_doubled_quotes()
    {
        var csv = CsvFile.Read(new StringReader(
            "geo_code,geo_name,value\n" +
            "75,\"Paris, Ville de\",12.5\n" +
            "44,\"Loire-\"\"Atlantique\"\"\",\"1,5\"\n"), "names.csv");

        Assert.Equal(["geo_code", "geo_name", "value"], csv.Header);
        Assert.Equal(2, csv.Records.Count);
        Assert.Equal(["75", "Paris, Ville de", "12.5"], csv.Records[0].Fields);
        Assert.Equal(["44", "Loire-\"Atlantique\"", "1,5"], csv.Records[1].Fields);
    }

    [Fact]
    public void A_semicolon_file_with_a_byte_order_mark_is_read_without_the_mark()
    {
        var path = _dir.File("dep.csv", "geo_code;geo_name;value\r\n2A;Corse-du-Sud;12,5\r\n2B;Haute-Corse;\"13,1\"\r\n",
            new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal([0xEF, 0xBB, 0xBF], File.ReadAllBytes(path).Take(3));

        var csv = CsvFile.Read(path, "dep.csv");

        Assert.Equal("geo_code", csv.Header[0]);
        Assert.Equal(0, csv.Column("geo_code"));
        Assert.Equal(["2A", "Corse-du-Sud", "12,5"], csv.Records[0].Fields);
        Assert.Equal(["2B", "Haute-Corse", "13,1"], csv.Records[1].Fields);
    }

    [Fact]
    public void Records_keep_the_physical_line_where_they_start()
    {
        var csv = CsvFile.Read(new StringReader(
            "geo_code,geo_name,note\n" +      // line 1
            "01,Ain,\"two\nlines\"\n" +        // lines 2-3
            "\n" +                             // line 4 (blank)
            "02,Aisne,plain\n"), "lines.csv"); // line 5

        Assert.Equal([2, 5], csv.Records.Select(r => r.Line));
        Assert.Equal("two\nlines", csv.Records[0][2]);
    }

    [Fact]
    public void A_row_with_the_wrong_field_count_is_rejected_naming_the_file_and_its_physical_line()
    {
        var reader = new StringReader(
            "geo_code,geo_name,value\n" +             // line 1: the header
            "01,Ain,12.5\n" +                         // line 2
            "02,\"Aisne\nnord\",13.1\n" +              // lines 3-4: a quoted field over two lines
            "\n" +                                    // line 5: blank, skipped but counted
            "03,Allier,14.2,extra\n");                // line 6: four fields for three columns

        var e = Assert.Throws<ImportException>(() => CsvFile.Read(reader, "bad.csv"));

        Assert.Equal("bad.csv", e.File);
        Assert.Equal("line 6", e.Place);
        Assert.StartsWith("bad.csv: line 6:", e.Message, StringComparison.Ordinal);
        Assert.Contains("4 fields", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_with_too_few_fields_is_rejected_too()
    {
        var e = Assert.Throws<ImportException>(() => CsvFile.Read(new StringReader("a,b,c\n1,2,3\n4,5\n"), "short.csv"));

        Assert.Equal("line 3", e.Place);
        Assert.Contains("short.csv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_column_is_named()
    {
        var csv = CsvFile.Read(new StringReader("geo_code,value\n01,1\n"), "cols.csv");

        var e = Assert.Throws<ImportException>(() => csv.Column("year"));

        Assert.Contains("'year'", e.Message, StringComparison.Ordinal);
        Assert.Contains("cols.csv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_quote_is_reported_at_the_line_it_opens()
    {
        var e = Assert.Throws<ImportException>(() => CsvFile.Read(new StringReader("a,b\n1,2\n3,\"open\nstill open\n"), "quote.csv"));

        Assert.Equal("line 3", e.Place);
    }
}
