using System.Text;
using TerritoryAtlas.Web;

namespace TerritoryAtlas.Tests.Export;

/// <summary>The conventions every CSV of the atlas shares (CsvOutput): read back as a spreadsheet or R would read them.</summary>
public sealed class CsvOutputTests
{
    [Fact]
    public void Fields_are_quoted_only_when_they_need_it_and_typed_text_cannot_become_a_formula()
    {
        var csv = CsvOutput.Build(c => c.Header("code", "name", "value", "note")
            .Text("01001").Text("L'Abergement, \"Clémenciat\"").Number(-12.5).Text("=HYPERLINK(\"x\")").EndLine()
            .Text("2A004").Text(null).Number(null).Text("-1 faux départ").EndLine());

        Assert.Equal(
            "code,name,value,note\n" +
            "01001,\"L'Abergement, \"\"Clémenciat\"\"\",-12.5,\"'=HYPERLINK(\"\"x\"\")\"\n" +
            "2A004,,,\"'-1 faux départ\"\n",
            csv);
    }

    [Fact]
    public async Task The_French_dialect_writes_semicolons_and_decimal_commas_after_a_byte_order_mark()
    {
        using var stream = new MemoryStream();
        await using (var csv = CsvOutput.To(stream, CsvOutput.FrenchSeparator, byteOrderMark: true))
        {
            csv.Header("code", "valeur", "annee").Text("93066").Number(1234.56).Integer(2019);
            await csv.EndLineAsync(CancellationToken.None);
            csv.Text("Saint-Denis; Pierrefitte").Number(-0.5).Integer(null).EndLine();
        }

        var bytes = stream.ToArray();
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);
        Assert.Equal("code;valeur;annee\r\n93066;1234,56;2019\r\n\"Saint-Denis; Pierrefitte\";-0,5;\r\n", Encoding.UTF8.GetString(bytes[3..]));
    }
}
