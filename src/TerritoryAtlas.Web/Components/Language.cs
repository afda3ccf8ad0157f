using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;

namespace TerritoryAtlas.Web.Components;

/// <summary>
/// A language of the interface: French (the default) or English. Pages take the reader's from
/// <see cref="ReaderLanguage"/>; the address says it (<c>lang=en</c>), and <see cref="LanguagePreference"/> remembers
/// the last choice for addresses that do not.
/// </summary>
public sealed record Language(string Code)
{
    public static readonly Language French = new("fr");
    public static readonly Language English = new("en");

    public bool IsEnglish => Code == "en";

    /// <summary>Numbers and dates as the reader writes them (27,9 % or 27.9%).</summary>
    public CultureInfo Culture => CultureInfo.GetCultureInfo(IsEnglish ? "en-GB" : "fr-FR");

    /// <summary>The text in the reader's language.</summary>
    public string T(string french, string english) => IsEnglish ? english : french;

    /// <summary>A path of the atlas with the reader's language kept (French needs nothing).</summary>
    public string Href(string path) => IsEnglish ? $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}lang=en" : path;

    public static Language Of(string? lang) => lang == "en" ? English : French;

    public static Language Of(HttpRequest request) => Of(request.Query["lang"].ToString());
}

/// <summary>
/// The reader's language in a circuit: what the address says, else what it last said in this circuit (a link without
/// <c>lang</c>, followed inside the app, keeps English), else French. The first address of a circuit always says it
/// when the reader chose English (<see cref="LanguagePreference"/> sends them there).
/// </summary>
public sealed class ReaderLanguage(NavigationManager navigation)
{
    private Language? _remembered;

    public Language Current
    {
        get
        {
            if (QueryHelpers.ParseQuery(new Uri(navigation.Uri).Query).TryGetValue("lang", out var lang) && lang.ToString() is "en" or "fr")
            {
                _remembered = Language.Of(lang.ToString());
            }

            return _remembered ?? Language.French;
        }
    }

    /// <summary>The same address in the other language: explicit both ways, so the choice is remembered.</summary>
    public string SwitchUrl => navigation.GetUriWithQueryParameter("lang", Current.IsEnglish ? "fr" : "en");
}

/// <summary>
/// Remembers the reader's language: an address saying <c>lang=</c> sets a cookie, and a page opened without it (a
/// bookmark, a typed address) is sent to the same address in the remembered language. Pages only: APIs, tiles and
/// embeds answer what their address says.
/// </summary>
public static class LanguagePreference
{
    public const string Cookie = "atlas-lang";

    public static IApplicationBuilder UseLanguagePreference(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var request = context.Request;
        var asked = request.Query["lang"].ToString();
        if (asked is "en" or "fr")
        {
            if (request.Cookies[Cookie] != asked)
            {
                context.Response.Cookies.Append(Cookie, asked, new CookieOptions
                {
                    MaxAge = TimeSpan.FromDays(365),
                    SameSite = SameSiteMode.Lax,
                    HttpOnly = true,
                    Secure = request.IsHttps,
                    IsEssential = true,
                });
            }
        }
        // The page test first: reading the cookies would parse them for every API and tile request.
        else if (HttpMethods.IsGet(request.Method) && IsPage(request) && request.Cookies[Cookie] == "en")
        {
            var query = QueryString.Create(QueryHelpers.ParseQuery(request.QueryString.Value)
                .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
                .Append(new KeyValuePair<string, string?>("lang", "en")));
            context.Response.Redirect($"{request.PathBase}{request.Path}{query}");
            return Task.CompletedTask;
        }

        return next(context);
    });

    // A page a person opens: HTML asked for, not an API, an embed (it says its own language), Blazor's own traffic
    // or a file.
    private static bool IsPage(HttpRequest request) =>
        !MachineEndpoints.Serve(request)
        && !request.Path.StartsWithSegments("/embed") && !request.Path.StartsWithSegments("/_blazor")
        && !request.Path.StartsWithSegments("/_framework") && !Path.HasExtension(request.Path.Value)
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal);
}
