using System.Net;

namespace TerritoryAtlas.IntegrationTests.Pages;

/// <summary>What every page's document says about itself: its language and its icon.</summary>
[Collection(nameof(AtlasCollection))]
public sealed class DocumentTests(AtlasFixture atlas)
{
    [Theory]
    [InlineData("/", "fr")]
    [InlineData("/?lang=en", "en")]
    [InlineData("/indicateurs", "fr")]
    [InlineData("/territoire/departement/93?lang=en", "en")]
    public async Task The_document_declares_the_language_it_is_written_in(string path, string lang)
    {
        using var client = atlas.App.CreateClient();
        var html = await client.GetStringAsync(path);
        Assert.Contains($"<html lang=\"{lang}\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_name_an_icon_that_is_served()
    {
        using var client = atlas.App.CreateClient();
        Assert.Contains("<link rel=\"icon\" href=\"favicon.svg\"", await client.GetStringAsync("/indicateurs"), StringComparison.Ordinal);
        using var icon = await client.GetAsync("/favicon.svg");
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/?lang=en", "href=\"/indicateurs?lang=en\"", ">Indicators<", ">Indicateurs<")]
    [InlineData("/indicateurs?lang=en", "href=\"/?lang=en\"", ">Map<", ">Carte<")]
    [InlineData("/", "href=\"/indicateurs\"", ">Indicateurs<", ">Indicators<")]
    public async Task The_application_bar_speaks_the_pages_language_and_keeps_it_on_its_links(string path, string link, string label, string other)
    {
        using var client = atlas.App.CreateClient();
        var html = await client.GetStringAsync(path);
        Assert.Contains(link, html, StringComparison.Ordinal);
        Assert.Contains(label, html, StringComparison.Ordinal);
        Assert.DoesNotContain(other, html, StringComparison.Ordinal);
    }
}
