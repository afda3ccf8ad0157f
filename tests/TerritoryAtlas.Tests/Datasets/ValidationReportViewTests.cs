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
}
