using Bunit;
using TerritoryAtlas.Web.Datasets;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Tests.Datasets;

public sealed class ValidationReportViewTests : BunitTest
{
    [Fact]
    public void A_recognised_official_file_says_its_layout_and_lists_the_series_it_could_not_place()
    {
        var report = new ValidationReport { File = "drees.csv", Read = 30_746, Accepted = 30_117, RejectedCount = 629, Layout = "drees-minima-sociaux" };
        report.Unmapped.Add(new UnmappedSeries("RSA total (socle+activite) — beneficiaires adultes (allocataires+conjoints) - proportion (%)", 104, "no indicator"));

        var view = Context.Render<ValidationReportView>(p => p.Add(x => x.Report, report));

        Assert.Contains("drees-minima-sociaux", view.Find("[data-testid=report-layout]").TextContent, StringComparison.Ordinal);
        var row = view.Find("[data-testid=report-unmapped] tbody tr");
        Assert.Contains("beneficiaires adultes", row.Children[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("104", row.Children[1].TextContent.Trim());
    }

    [Fact]
    public void A_mapped_file_shows_no_layout_line()
    {
        var view = Context.Render<ValidationReportView>(p => p.Add(x => x.Report, new ValidationReport { File = "f.csv", Read = 1, Accepted = 1 }));

        Assert.Empty(view.FindAll("[data-testid=report-layout]"));
        Assert.Empty(view.FindAll("[data-testid=report-unmapped]"));
    }

    [Fact]
    public void A_commune_correspondence_says_what_publishing_changes_in_the_perimeters_in_force()
    {
        var geography = new GeographyReport { BoundaryVintage = 2018, LastVintage = 2024, Merges = 2, New = 1, Dated = 1, Kept = 213 };
        geography.Changes.Add(new GeographyChangeLine("85194", "Les Sables-d'Olonne", "merged", ["85194", "85060", "85166"], 2019, 2019, "new", null, "commune nouvelle"));
        geography.Changes.Add(new GeographyChangeLine("01138", "Culoz-Béon", "merged", ["01138", "01039"], 2023, 2023, "dated", null, "commune nouvelle"));
        geography.Resolved.Add(new ResolvedCommune("85060", "Château-d'Olonne", "85194", "Les Sables-d'Olonne"));
        var report = new ValidationReport { File = "table_passage_annuelle_2024.xlsx", Read = 6, Accepted = 2, Layout = "insee-table-passage", Geography = geography };

        var view = Context.Render<ValidationReportView>(p => p.Add(x => x.Report, report));

        Assert.Equal("2", view.Find("[data-testid=report-merges]").GetAttribute("data-value"));
        var rows = view.FindAll("[data-testid=report-geography-changes] tbody tr");
        Assert.Equal("85194", rows[0].GetAttribute("data-code"));
        Assert.Equal("new", rows[0].GetAttribute("data-status"));
        Assert.Contains("85194, 85060, 85166", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Château-d'Olonne (85060) → Les Sables-d'Olonne (85194)", view.Find("[data-testid=report-resolved]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_boundary_layer_says_its_level_vintage_and_crs_and_what_becomes_of_the_territories_it_lacks()
    {
        var boundaries = new BoundaryReport
        {
            Level = "departement",
            Format = "shapefile",
            Layer = "ADECOG_3-2_SHP_LAMB93_FXX-ED2024-02-22/DEPARTEMENT.shp",
            Vintage = 2024,
            VintageFrom = "ADECOG_3-2_SHP_LAMB93_FXX-ED2024-02-22/DEPARTEMENT.shp",
            VintageInForce = 2018,
            Crs = "EPSG:2154 (Lambert-93), .prj",
            Features = 96,
            Matched = 96,
            Missing = 5,
            Repaired = 1,
            Bbox = [-5.14, 41.33, 9.56, 51.09],
        };
        boundaries.MissingTerritories.Add(new MissingTerritory("974", "La Réunion", "kept"));
        var report = new ValidationReport { File = "ADMIN-EXPRESS-COG.zip", Read = 96, Accepted = 96, Layout = "IGN ADMIN EXPRESS (shapefile)", Boundaries = boundaries };

        var view = Context.Render<ValidationReportView>(p => p.Add(x => x.Report, report));

        Assert.Equal("96", view.Find("[data-testid=report-matched]").GetAttribute("data-value"));
        Assert.Equal("5", view.Find("[data-testid=report-missing-territories]").GetAttribute("data-value"));
        Assert.Equal("1", view.Find("[data-testid=report-repaired]").GetAttribute("data-value"));
        Assert.Contains("EPSG:2154", view.Find("[data-testid=report-boundaries-crs]").TextContent, StringComparison.Ordinal);
        Assert.Contains("COG 2018", view.Find("[data-testid=report-boundaries-crs]").TextContent, StringComparison.Ordinal);
        Assert.Contains("La Réunion (974)", view.Find("[data-testid=report-missing-list]").TextContent, StringComparison.Ordinal);
    }
}
