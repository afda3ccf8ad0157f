using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// The inline script that starts MapLibre's tile worker while a map page's head is read, so that the worker's 0.5 MB
/// module compiles on the other core while the page compiles MapLibre's own, instead of after it; js/map-adoption.js hands
/// that worker to MapLibre. Inline, not a file: a script file runs only once the main thread is done with the
/// stylesheets, about 0.4 s later on the commune map here. Embeds, which forbid inline scripts, allow this one by its
/// hash. It starts none when a worker exists already, or when the map module ran first (map-adoption.js sets atlasEarlyWorker).
/// </summary>
public static class MapWorkerScript
{
    /// <summary>The worker module as embeds load it (they use unfingerprinted URLs).</summary>
    public const string EmbedWorkerUrl = "/lib/maplibre-gl/maplibre-gl-worker.mjs";

    public static string Code(string workerUrl) =>
        $"if (!window.atlasEarlyWorker) {{ const url = {JsonSerializer.Serialize(workerUrl)}; " +
        "window.atlasEarlyWorker = { url, worker: new Worker(url, { type: 'module' }) }; }";

    /// <summary>The Content-Security-Policy source that allows <see cref="Code"/> for this URL.</summary>
    public static string CspHash(string workerUrl) =>
        $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Code(workerUrl))))}'";
}
