using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Export;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.IntegrationTests.Export;

/// <summary>The download dialog's promise: the size it announces is the size of the file its link returns.</summary>
[Collection(nameof(AtlasCollection))]
public sealed class ExportPreviewTests(AtlasFixture atlas)
{
    [Theory]
    [InlineData("commune", null)]
    [InlineData("commune", "departement:93")]
    [InlineData("departement", null)]
    public async Task The_csv_size_estimate_is_within_a_quarter_of_the_real_file(string level, string? within)
    {
        var services = atlas.App.Services;
        var indicator = (await services.GetRequiredService<IndicatorQueries>().FindAsync("taux_pauvrete_60", TerritoryAtlas.Web.Accounts.Viewer.Anonymous, CancellationToken.None))!;
        var exports = services.GetRequiredService<ExportQueries>();
        WithinTerritory? area = null;
        if (within?.Split(':') is [var withinLevel, var withinCode])
        {
            area = new WithinTerritory(withinLevel, withinCode, (await exports.FindTerritoryAsync(withinLevel, withinCode, CancellationToken.None))!.Value);
        }

        var request = new ExportRequest(level, [new ExportPair(indicator, 2019)], area, null, null, null, 4326, 0, ';', true);
        var preview = await exports.PreviewAsync(request, CancellationToken.None);

        using var client = atlas.App.CreateClient();
        var bytes = await client.GetByteArrayAsync(ExportLinks.Download(level, indicator.Code, 2019, "csv", within, semicolon: true, bom: true));
        var lines = System.Text.Encoding.UTF8.GetString(bytes).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length - 1;
        Assert.Equal(preview.Rows, lines);
        Assert.InRange(preview.ApproximateCsvBytes, bytes.Length * 0.75, bytes.Length * 1.25);
    }
}
