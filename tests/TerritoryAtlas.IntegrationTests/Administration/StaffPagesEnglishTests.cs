using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.IntegrationTests.Administration;

/// <summary>
/// The staff's pages (administration, study areas) as an admin reads them prerendered: in English when the address
/// says lang=en, their internal links keeping it, and in French otherwise.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class StaffPagesEnglishTests(AtlasFixture atlas)
{
    // A client of its own for each page, so the language one address remembers (its cookie) cannot reach the next.
    private HttpClient Client(string token)
    {
        var client = atlas.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<string> PageAsync(string token, string path)
    {
        using var client = Client(token);
        using var response = await client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
        return WebUtility.HtmlDecode(html);
    }

    private static void Speaks(string html, string[] texts, string[] absent)
    {
        foreach (var text in texts)
        {
            Assert.Contains(text, html, StringComparison.Ordinal);
        }

        foreach (var text in absent)
        {
            Assert.DoesNotContain(text, html, StringComparison.Ordinal);
        }
    }

    private static readonly string[] AdminEnglish = ["Invite someone", "give the person the link shown", "Accounts ("];
    private static readonly string[] AdminFrench = ["Inviter une personne", "remettez à la personne le lien affiché", "Comptes ("];
    private static readonly string[] AreasEnglish = ["Study areas", "Areas you can read", "INSEE codes of the communes", "Create study area", "only me"];
    private static readonly string[] AreasFrench = ["Zones d'étude", "Zones que vous pouvez lire", "Codes INSEE des communes", "Créer la zone", "moi seulement"];

    [Fact]
    public async Task The_administration_page_is_in_english_when_asked_and_in_french_otherwise()
    {
        var token = await atlas.TokenAsync(AtlasRoles.Admin);
        Speaks(await PageAsync(token, "/admin?lang=en"), AdminEnglish, AdminFrench);
        Speaks(await PageAsync(token, "/admin"), AdminFrench, AdminEnglish);
    }

    [Fact]
    public async Task The_study_area_pages_are_in_english_when_asked_with_their_links_and_figures_and_in_french_otherwise()
    {
        var token = await atlas.TokenAsync(AtlasRoles.Admin);
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var commune = await connection.ExecuteScalarAsync<string>("""
            select c.code from territory c join published_observation o on o.territory_id = c.id
            where c.level = 'commune' and o.indicator_code = 'population_municipale' and o.value > 1000
            order by c.code limit 1
            """);
        using var api = Client(token);
        using var created = await api.PostAsJsonAsync("/api/study-areas", new { name = "Staff pages (test)", codes = new[] { commune } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        try
        {
            var english = await PageAsync(token, "/zones-etude?lang=en");
            Speaks(english, AreasEnglish, AreasFrench);
            Assert.Contains($"href=\"/zone-etude/{id}?lang=en\"", english, StringComparison.Ordinal);
            Assert.Contains("1 communes, private", english, StringComparison.Ordinal);

            var french = await PageAsync(token, "/zones-etude");
            Speaks(french, AreasFrench, AreasEnglish);
            Assert.Contains($"href=\"/zone-etude/{id}\"", french, StringComparison.Ordinal);
            Assert.Contains("1 communes, privée", french, StringComparison.Ordinal);

            // The portrait: headings in English, figures in the reader's culture, the way back keeping the language.
            var portrait = await api.GetFromJsonAsync<JsonElement>($"/api/study-areas/{id}/portrait");
            var population = portrait.GetProperty("lines").EnumerateArray()
                .Single(l => l.GetProperty("indicator").GetString() == "population_municipale").GetProperty("value").GetDouble();

            var portraitEnglish = await PageAsync(token, $"/zone-etude/{id}?lang=en");
            Speaks(portraitEnglish, ["Study area of", "Indicator", "Denominator", "France and départements", "My study areas"],
                ["Zone d'étude de", "Dénominateur", "France et départements", "Mes zones d'étude"]);
            Assert.Contains("href=\"/zones-etude?lang=en\"", portraitEnglish, StringComparison.Ordinal);
            Assert.Contains(population.ToString("N0", CultureInfo.GetCultureInfo("en-GB")), portraitEnglish, StringComparison.Ordinal);

            var portraitFrench = await PageAsync(token, $"/zone-etude/{id}");
            Speaks(portraitFrench, ["Zone d'étude de", "Dénominateur", "France et départements", "Mes zones d'étude"],
                ["Study area of", "Denominator", "France and départements", "My study areas"]);
            Assert.Contains("href=\"/zones-etude\"", portraitFrench, StringComparison.Ordinal);
            Assert.Contains(TerritoryAtlas.Web.Indicators.FigureFormat.Number(population, 0), portraitFrench, StringComparison.Ordinal);
        }
        finally
        {
            await api.DeleteAsync($"/api/study-areas/{id}");
        }
    }
}
