using TerritoryAtlas.Web.Export;

namespace TerritoryAtlas.Tests.Export;

public sealed class ExportLinksTests
{
    [Fact]
    public void The_download_link_exports_the_map_level_indicator_and_year()
    {
        Assert.Equal("/api/export/departement.geojson?indicator=taux_pauvrete_60&year=2019",
            ExportLinks.Download("departement", "taux_pauvrete_60", 2019, "geojson", semicolon: true, bom: true));
    }

    [Fact]
    public void A_french_spreadsheet_csv_asks_for_semicolons_and_a_bom()
    {
        Assert.Equal("/api/export/commune.csv?indicator=aah_allocataires&year=2018&within=departement%3A93&sep=;&bom=true",
            ExportLinks.Download("commune", "aah_allocataires", 2018, "csv", "departement:93", semicolon: true, bom: true));
    }
}
