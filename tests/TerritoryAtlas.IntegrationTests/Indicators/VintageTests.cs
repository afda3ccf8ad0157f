using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.IntegrationTests.Indicators;

/// <summary>
/// Geography vintages on the full import of the real data: the COG year each figure was published in, the perimeter
/// it therefore describes, and a map that says when it draws a figure on polygons that are not its perimeter.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class VintageTests(AtlasFixture atlas)
{
    [Fact]
    public async Task Every_imported_figure_keeps_the_vintage_the_manifest_gives_its_file()
    {
        var manifest = ManifestFiles.Load<IndicatorManifest>(Path.Combine(AtlasFixture.RepositoryRoot, "indicators", "manifest.json"));
        var vintages = manifest.Datasets.ToDictionary(d => d.Name, Vintages.Of);
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var stored = (await connection.QueryAsync<(string Dataset, string Indicator, short Year, string? Flag, short? Cog, long Rows)>("""
            select dataset, indicator_code, year, flag, cog, count(*) from observation
            where origin = 'source' and dataset = any(@datasets)
            group by dataset, indicator_code, year, flag, cog
            """, new { datasets = vintages.Keys.ToArray() })).ToList();
        Assert.True(stored.Count > 500, $"{stored.Count} groups");
        var wrong = stored.Where(s => vintages[s.Dataset].Of(s.Indicator, s.Year, s.Flag) != s.Cog)
            .Select(s => $"{s.Dataset} {s.Indicator} {s.Year} {s.Flag}: {s.Cog}").ToList();
        Assert.True(wrong.Count == 0, string.Join("; ", wrong.Take(20)));

        // What SOURCES.md says of the files, read back from the database.
        async Task<short?[]> CogsOf(string dataset, string indicator, int year) => (await connection.QueryAsync<short?>(
            "select distinct cog from observation where dataset = @dataset and indicator_code = @indicator and year = @year",
            new { dataset, indicator, year = (short)year })).ToArray();
        Assert.Equal([(short)2021], await CogsOf("tidy-commune", "population_municipale", 2019));
        Assert.Equal([(short)2023], await CogsOf("tidy-commune", "population_municipale", 2021));
        // Populations légales 2023: on the communes of 1 January 2025, the first COG with the commune nouvelle of Saint-Denis.
        Assert.Equal([(short)2025], await CogsOf("tidy-commune", "population_municipale", 2023));
        Assert.Equal([(short)2019], await CogsOf("tidy-commune", "mediane_niveau_vie", 2018));
        Assert.Equal([(short)2020], await CogsOf("tidy-commune", "mediane_niveau_vie", 2019));
        Assert.Equal([(short)2022], await CogsOf("tidy-commune", "taux_pauvrete_60", 2019));
        Assert.Equal([(short)2022], await CogsOf("insee-population-age-departement", "population_15_64", 2010));
        // The CAF files by IRIS do not say their geography: unknown, not guessed.
        Assert.Equal([(short?)null], await CogsOf("caf-iris-2018", "caf_allocataires", 2018));
    }

    [Fact]
    public async Task Series_points_carry_their_vintage_and_it_decides_the_perimeter()
    {
        using var client = atlas.App.CreateClient();
        var body = await client.GetFromJsonAsync<JsonElement>("/api/series/population_municipale/commune/93066");
        var points = body.GetProperty("series")[0].GetProperty("points").EnumerateArray().ToDictionary(p => p.GetProperty("year").GetInt32());
        Assert.Equal(2021, points[2019].GetProperty("cog").GetInt32());
        Assert.Equal("former", points[2019].GetProperty("perimeter").GetString());
        Assert.Equal(2025, points[2023].GetProperty("cog").GetInt32());
        Assert.Equal("current", points[2023].GetProperty("perimeter").GetString());

        var csv = await client.GetStringAsync("/api/series/population_municipale/commune/93066?format=csv");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The cog column follows unite (the provenance columns come after it).
        var header = lines[0].Split(',');
        var cog = Array.IndexOf(header, "cog");
        Assert.Equal("unite", header[cog - 1]);
        Assert.Contains(lines, l => l.StartsWith("population_municipale,commune,93066,", StringComparison.Ordinal) && l.Contains(",2023,", StringComparison.Ordinal) && l.Split(',')[cog] == "2025");
    }

    [Fact]
    public async Task The_portrait_sources_name_the_vintage_of_the_figures_shown()
    {
        using var client = atlas.App.CreateClient();
        var html = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync("/territoire/commune/93066"));
        var sources = html[html.IndexOf("data-testid=\"portrait-sources\"", StringComparison.Ordinal)..];
        sources = sources[..sources.IndexOf("</section>", StringComparison.Ordinal)];
        // Populations légales 2023 (COG 2025) and Filosofi 2019 (the median on COG 2020, the poverty rate on COG 2022).
        Assert.Contains("(COG 2025)", sources, StringComparison.Ordinal);
        Assert.Contains("(COG 2020)", sources, StringComparison.Ordinal);
        Assert.Contains("(COG 2022)", sources, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_figure_on_a_cog_after_the_merger_describes_the_new_perimeter_even_where_the_parts_still_have_figures()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Pierrefitte-sur-Seine given its own 2023 figure by some other file: by inference the Saint-Denis figure
        // would now be read on the former perimeter; its vintage (COG 2025) says it is the commune nouvelle's.
        await connection.ExecuteAsync("""
            insert into observation (indicator_code, territory_id, year, value, status, origin, dataset, cog)
            select 'population_municipale', id, 2023, 33000, 'ok', 'source', 'vintage-test', 2023
            from territory where level = 'commune' and code = '93059'
            """, transaction: transaction);
        await connection.ExecuteAsync(TerritoryAtlas.Web.Import.DerivedFigures.StepSql("Import.perimeter_observations.sql"), transaction: transaction, commandTimeout: 0);
        var perimeter = await connection.QuerySingleAsync<(string OnPerimeter, double? Value)>("""
            select po.on_perimeter, po.value from perimeter_observation po join territory t on t.id = po.territory_id
            where t.level = 'commune' and t.code = '93066' and po.indicator_code = 'population_municipale' and po.year = 2023
            """, transaction: transaction);
        Assert.Equal("current", perimeter.OnPerimeter);
        Assert.Equal(149_077, perimeter.Value);

        // Without a vintage, the same figures fall back to the inference: the parts have figures, so the former one.
        await connection.ExecuteAsync("""
            update observation set cog = null where indicator_code = 'population_municipale' and year = 2023;
            drop table change_part, merged_figure;
            """, transaction: transaction);
        await connection.ExecuteAsync(TerritoryAtlas.Web.Import.DerivedFigures.StepSql("Import.perimeter_observations.sql"), transaction: transaction, commandTimeout: 0);
        var inferred = await connection.QuerySingleAsync<(string OnPerimeter, double? Value)>("""
            select po.on_perimeter, po.value from perimeter_observation po join territory t on t.id = po.territory_id
            where t.level = 'commune' and t.code = '93066' and po.indicator_code = 'population_municipale' and po.year = 2023
            """, transaction: transaction);
        Assert.Equal("former", inferred.OnPerimeter);
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task The_map_flags_Saint_Denis_2023_as_a_commune_nouvelle_and_says_where_Pierrefitte_went()
    {
        using var client = atlas.App.CreateClient();
        var values = await client.GetFromJsonAsync<JsonElement>("/api/maps/commune/population_municipale/2023");
        var codes = values.GetProperty("codes").EnumerateArray().Select(c => c.GetString()!).ToList();
        var perimeters = values.GetProperty("perimeters");

        var saintDenis = perimeters.GetProperty("93066");
        Assert.Equal("merged", saintDenis.GetProperty("role").GetString());
        Assert.Equal(["93066", "93059"], saintDenis.GetProperty("parts").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("chiffre de la commune nouvelle Saint-Denis (fusion 2025 avec Pierrefitte-sur-Seine)", saintDenis.GetProperty("noteFr").GetString());
        Assert.Contains("93066", codes);

        // Pierrefitte has no figure of its own: it points to the commune nouvelle whose figure the map draws on it.
        var pierrefitte = perimeters.GetProperty("93059");
        Assert.Equal("absorbed", pierrefitte.GetProperty("role").GetString());
        Assert.Equal("93066", pierrefitte.GetProperty("commune").GetString());
        Assert.Equal("Saint-Denis", pierrefitte.GetProperty("communeName").GetString());
        Assert.Equal("Pierrefitte-sur-Seine", pierrefitte.GetProperty("name").GetString());
        Assert.DoesNotContain("93059", codes);

        // A commune whose perimeter never changed (Montreuil) carries no flag; neither does Saint-Denis in 2019,
        // whose figure describes its 2018 polygon.
        Assert.Contains("93048", codes);
        Assert.False(perimeters.TryGetProperty("93048", out _));
        var before = await client.GetFromJsonAsync<JsonElement>("/api/maps/commune/population_municipale/2019?within=departement:93");
        Assert.True(before.GetProperty("perimeters").ValueKind == JsonValueKind.Null, before.GetProperty("perimeters").ToString());

        // The communes nouvelles of the 2018→2024 correspondence too: every flagged commune is a merged one of
        // perimeter_change, and every absorbed one lies in its commune nouvelle's parts.
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var changes = (await connection.QueryAsync<(string Code, string[] Parts)>(
            "select code, parts from perimeter_change where level = 'commune' and kind = 'merged'")).ToDictionary(c => c.Code, c => c.Parts);
        var flagged = perimeters.EnumerateObject().ToList();
        Assert.True(flagged.Count(f => f.Value.GetProperty("role").GetString() == "merged") > 100, $"{flagged.Count} flagged");
        Assert.All(flagged, f => Assert.Contains(f.Name, changes[f.Value.GetProperty("commune").GetString()!]));
    }

    [Fact]
    public async Task A_commune_nouvelle_figure_takes_no_rank_and_its_absorbed_communes_are_not_no_data()
    {
        var maps = atlas.App.Services.GetRequiredService<TerritoryAtlas.Web.Maps.MapQueries>();
        var values = await maps.ValuesAsync(new TerritoryAtlas.Web.Maps.MapRequest("commune", "population_municipale", 2023, Within: "departement:93"),
            TerritoryAtlas.Web.Accounts.Viewer.Anonymous, CancellationToken.None);
        var i = values.IndexOf("93066");
        Assert.NotNull(values.Values[i]);
        Assert.Null(values.Ranks[i]);
        Assert.NotNull(values.Ranks[values.IndexOf("93048")]);
        // 40 communes in the 2018 layer for Seine-Saint-Denis: 39 with a figure, Pierrefitte drawn with Saint-Denis's.
        Assert.Equal(0, values.NoData);
        Assert.Equal(1, values.Ranks.Where(r => r is not null).Min());
    }
}
