using Microsoft.AspNetCore.Components;

namespace TerritoryAtlas.Web.Components;

public static class AssetIntegrity
{
    /// <summary>
    /// The integrity the import map gives a fingerprinted asset. A module fetched without it (a preload, the page's
    /// own module script) does not match the module the import map then resolves, and the browser fetches it again.
    /// </summary>
    public static string? IntegrityOf(this ResourceAssetCollection assets, string path)
    {
        var url = assets[path];
        return assets.FirstOrDefault(a => a.Url == url)?.Properties?.FirstOrDefault(p => p.Name == "integrity")?.Value;
    }
}
