using System.Collections.Frozen;
using Microsoft.Extensions.Localization;
using MudBlazor;

namespace TerritoryAtlas.Web.Components;

/// <summary>
/// MudBlazor's own words (close buttons, pagers, clear buttons, number fields) in French for a French reader: the
/// library ships English only, which left « Close dialog » or « Next page » on French pages. English readers get
/// MudBlazor's own texts (a key not found here falls back to them).
/// </summary>
public sealed class MudBlazorTexts(ReaderLanguage reader) : MudLocalizer
{
    private static readonly FrozenDictionary<string, string> French = new Dictionary<string, string>
    {
        ["MudDialog_Close"] = "Fermer la fenêtre",
        ["MudAlert_Close"] = "Fermer le message",
        ["MudSnackbar_Close"] = "Fermer la notification",
        ["MudChip_Close"] = "Retirer",
        ["MudInput_Clear"] = "Effacer",
        ["MudInput_Increment"] = "Augmenter",
        ["MudInput_Decrement"] = "Diminuer",
        ["MudPagination_CurrentPage"] = "Page {0}, page actuelle",
        ["MudPagination_FirstPage"] = "Première page",
        ["MudPagination_LastPage"] = "Dernière page",
        ["MudPagination_NextPage"] = "Page suivante",
        ["MudPagination_PreviousPage"] = "Page précédente",
        ["MudPagination_PageIndex"] = "Page {0}",
        ["MudTablePager_FirstPage"] = "Première page",
        ["MudTablePager_LastPage"] = "Dernière page",
        ["MudTablePager_NextPage"] = "Page suivante",
        ["MudTablePager_PreviousPage"] = "Page précédente",
        ["MudDataGridPager_RowsPerPage"] = "Lignes par page :",
        ["MudDataGridPager_AllItems"] = "Toutes",
        ["MudDataGridPager_InfoFormat"] = "{0}–{1} sur {2}",
        ["MudNavGroup_ToggleExpand"] = "Déplier ou replier {0}",
        ["Converter_InvalidNumber"] = "Ce n'est pas un nombre",
        ["Converter_InvalidDateTime"] = "Ce n'est pas une date",
        ["Converter_InvalidBoolean"] = "Ce n'est pas oui ou non",
    }.ToFrozenDictionary();

    public override LocalizedString this[string key] =>
        !reader.Current.IsEnglish && French.TryGetValue(key, out var text) ? new(key, text) : new(key, key, resourceNotFound: true);
}
