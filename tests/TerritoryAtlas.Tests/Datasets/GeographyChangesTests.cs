using TerritoryAtlas.Web.Datasets;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Tests.Datasets;

/// <summary>How the links of INSEE's correspondences become perimeter changes of the commune layer (real codes).</summary>
public sealed class GeographyChangesTests
{
    private static readonly Dictionary<string, string> Layer = new()
    {
        ["85194"] = "Sables-d'Olonne",
        ["85060"] = "Château-d'Olonne",
        ["85166"] = "Olonne-sur-Mer",
        ["91228"] = "Évry",
        ["91182"] = "Courcouronnes",
        ["14712"] = "Saline",
        ["93066"] = "Saint-Denis",
        ["85191"] = "La Roche-sur-Yon",
    };

    private static CommuneLink Link(int year, string from, string to, string? name = null) => new(year, year, $"COG {year}", from, to, 1, name, null);

    private static (List<CommuneChange> Changes, ValidationReport Report, GeographyReport Geography) Resolve(params CommuneLink[] links)
    {
        var report = new ValidationReport { File = "t.csv" };
        var geography = new GeographyReport();
        return (GeographyChanges.Resolve(Layer.Keys, Layer, links, report, geography), report, geography);
    }

    [Fact]
    public void A_merger_in_two_steps_is_one_change_dated_from_the_first_step_to_the_last()
    {
        var (changes, report, _) = Resolve(
            Link(2019, "85060", "85194"), Link(2019, "85194", "85194"),
            Link(2021, "85166", "85194", "Les Sables-d'Olonne"));

        var change = Assert.Single(changes);
        Assert.Equal(("85194", "merged", 2019, 2021), (change.Code, change.Kind, change.FromYear, change.KnownBy));
        Assert.Equal(["85194", "85060", "85166"], change.Parts);
        Assert.Contains("Les Sables-d'Olonne", change.ReasonFr, StringComparison.Ordinal);
        Assert.Equal(0, report.RejectedCount);
    }

    [Fact]
    public void A_split_lists_every_commune_it_became_and_a_new_code_is_not_placed()
    {
        var (changes, _, geography) = Resolve(Link(2019, "14712", "14712"), Link(2019, "14712", "14666"));

        var change = Assert.Single(changes);
        Assert.Equal(("14712", "split"), (change.Code, change.Kind));
        Assert.Equal(["14712", "14666"], change.Parts);
        Assert.Equal("14666", Assert.Single(geography.NotPlaced).Code);
    }

    [Fact]
    public void A_code_change_is_not_a_perimeter_change_and_a_merger_under_a_new_code_is_not_placed()
    {
        var (changes, _, geography) = Resolve(Link(2020, "93066", "93999"), Link(2019, "91182", "91999"), Link(2019, "91228", "91999"));

        Assert.Empty(changes);
        Assert.Equal(1, geography.CodeChanges);
        Assert.Equal(["91182", "91228"], Assert.Single(geography.NotPlaced).Parts);
    }

    [Fact]
    public void A_changed_code_carries_to_its_commune_at_every_step_but_not_once_reused_for_another_or_merged()
    {
        var (_, _, geography) = Resolve(
            // Saint-Denis under a new code in 2020, then another in 2022: a 2021 file and a 2023 file both carry.
            Link(2020, "93066", "93901"), Link(2022, "93901", "93902", "Saint-Denis"),
            // Courcouronnes under a new code in 2019, merged into Évry in 2021: its 2019-2020 code still names it alone.
            Link(2019, "91182", "91801"), Link(2021, "91801", "91228"), Link(2021, "91228", "91228"),
            // Les Sables-d'Olonne under 85901, then 85902; 85901, freed, taken by La Roche-sur-Yon: it names two communes
            // and carries to neither.
            Link(2020, "85194", "85901"), Link(2021, "85901", "85902"), Link(2022, "85191", "85901"));

        Assert.Equal(
            [("85902", "85194"), ("91801", "91182"), ("93901", "93066"), ("93902", "93066")],
            geography.Recoded.Select(r => (r.Code, r.BoundaryCode)));
        Assert.Equal("Saint-Denis", geography.Recoded.Single(r => r.Code == "93902").Name);
    }

    [Fact]
    public void Two_codes_becoming_each_other_in_one_step_are_a_cycle()
    {
        var (_, report, _) = Resolve(Link(2019, "91182", "91228"), Link(2019, "91228", "91182"));

        Assert.Contains("cycle", Assert.Single(report.Rejected).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Compared_with_the_changes_in_force_a_merger_is_new_dated_or_changed_and_its_unknown_parts_are_resolved()
    {
        var geography = new GeographyReport();
        CommuneChange Change(string code, int from, int by, params string[] parts) => new(code, code, from, by, "merged", parts, "", "");
        GeographyChanges.Compare(
            [Change("85194", 2019, 2019, "85194", "85060", "85166"), Change("91228", 2019, 2019, "91228", "91182"), Change("01138", 2023, 2023, "01138", "01039")],
            [Change("01138", 2019, 2024, "01138", "01039"), Change("91228", 2019, 2024, "91228"), Change("93066", 2025, 2025, "93066", "93059")],
            Layer, geography);

        Assert.Equal((1, 1, 1, 0, 1), (geography.New, geography.Changed, geography.Dated, geography.Unchanged, geography.Kept));
        Assert.Equal(["85060", "85166", "91182"], geography.Resolved.Select(r => r.Code));
    }
}
